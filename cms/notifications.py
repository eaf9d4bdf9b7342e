"""In-site notifications and the pluggable channels (SMS, email) behind them."""
