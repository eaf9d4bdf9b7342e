from django.urls import path

from . import views_card

urlpatterns = [
    path("<int:member_id>/card/", views_card.card_view, name="member_card"),
]
