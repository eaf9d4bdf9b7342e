// The lobby display: draws data.json (first from the page, then polled) into the
// lists and the ECharts charts, in place. A 404 (the link was revoked) reloads
// the page so that the TV shows "not found" at once.
(function () {
  "use strict";
  const root = document.querySelector("[data-display]");
  if (!root) return;
  const labels = root.dataset;
  const every = Math.max(1, Number(labels.refresh) || 30) * 1000;
  let data = JSON.parse(document.getElementById("display-data").textContent);
  const charts = {};
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const chart = echarts.init(el, null, { renderer: "canvas" });
    // set once a drawing (animation included) is complete: screenshots wait for it
    chart.on("finished", () => { el.dataset.drawn = "1"; });
    charts[el.dataset.chart] = chart;
  });

  const rem = () => parseFloat(getComputedStyle(document.documentElement).fontSize);
  const TEXT = "#f5f7fa";
  const MUTED = "#aab4c8";
  const LINE = "#263150";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function learners(rows) {
    const list = root.querySelector("[data-learners]");
    list.replaceChildren();
    if (!rows.length) {
      list.append(el("li", "none", labels.labelEmpty));
      return;
    }
    for (const row of rows) {
      const item = el("li");
      item.dataset.learner = row.name;
      item.append(el("span", `rank rank-${row.rank}`, String(row.rank)));
      const who = el("span", "who", row.name);
      who.append(el("small", "", row.unit));
      item.append(who);
      const value = el("span", "value", row.hours.toFixed(1));
      value.append(el("small", "", labels.labelHoursUnit));
      item.append(value);
      list.append(item);
    }
  }

  function stars(rows) {
    const list = root.querySelector("[data-stars]");
    list.replaceChildren();
    if (!rows.length) {
      list.append(el("li", "none", labels.labelNoStars));
      return;
    }
    for (const row of rows) {
      const item = el("li");
      const who = el("span", "who", row.name);
      who.append(el("small", "", [row.unit, row.title].filter(Boolean).join(" · ")));
      item.append(who);
      list.append(item);
    }
  }

  function empty(name, isEmpty) {
    root.querySelector(`[data-empty="${name}"]`).hidden = !isEmpty;
  }

  function axisStyle(size) {
    return {
      axisLabel: { color: TEXT, fontSize: size },
      axisLine: { lineStyle: { color: LINE } },
      splitLine: { lineStyle: { color: LINE } },
      nameTextStyle: { color: MUTED, fontSize: size * 0.85 },
    };
  }

  function unitsChart(rows) {
    const size = rem() * 1.25;
    const chart = charts.units;
    empty("units", !rows.length);
    chart.setOption(
      {
        animationDurationUpdate: 800,
        textStyle: { fontSize: size, color: TEXT },
        legend: { top: 0, textStyle: { color: TEXT, fontSize: size }, itemWidth: size, itemHeight: size * 0.7 },
        grid: { left: size, right: size * 3, top: size * 2.6, bottom: size * 0.5, containLabel: true },
        yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name), ...axisStyle(size) },
        xAxis: [
          { type: "value", max: 100, ...axisStyle(size * 0.85), splitLine: { show: false } },
          { type: "value", position: "top", ...axisStyle(size * 0.85), splitLine: { lineStyle: { color: LINE, type: "dashed" } } },
        ],
        series: [
          {
            name: labels.labelParticipation, type: "bar", xAxisIndex: 0, barGap: "15%",
            barMaxWidth: size * 1.6,
            data: rows.map((r) => r.participation), itemStyle: { color: "#e8363d" },
            label: { show: true, position: "right", color: TEXT, fontSize: size * 0.9, formatter: "{c}%" },
          },
          {
            name: labels.labelPerCapita, type: "bar", xAxisIndex: 1, barMaxWidth: size * 1.6,
            data: rows.map((r) => r.per_capita), itemStyle: { color: "#ffcc4d" },
            label: { show: true, position: "right", color: TEXT, fontSize: size * 0.9 },
          },
        ],
      },
      true
    );
  }

  function examsChart(rows) {
    const size = rem() * 1.25;
    const chart = charts.exams;
    empty("exams", !rows.length);
    chart.setOption(
      {
        animationDurationUpdate: 800,
        textStyle: { fontSize: size, color: TEXT },
        grid: { left: size, right: size * 7, top: size * 0.5, bottom: size * 0.5, containLabel: true },
        yAxis: {
          type: "category", inverse: true, data: rows.map((r) => r.title), ...axisStyle(size),
          axisLabel: { color: TEXT, fontSize: size, width: size * 10, overflow: "truncate" },
        },
        xAxis: { type: "value", max: 100, ...axisStyle(size * 0.85) },
        series: [
          {
            name: labels.labelPassRate, type: "bar", barMaxWidth: size * 2.4,
            data: rows.map((r) => ({ value: r.pass_rate, passed: r.passed, sat: r.sat })),
            itemStyle: { color: "#3fb68b" },
            label: {
              show: true, position: "right", color: TEXT, fontSize: size * 0.9,
              formatter: (p) => `${p.value}%  (${p.data.passed}/${p.data.sat})`,
            },
          },
        ],
      },
      true
    );
  }

  function render(next) {
    root.querySelector("[data-title]").textContent = next.title;
    root.querySelector("[data-period]").textContent = next.period;
    root.querySelector("[data-updated]").textContent = next.updated_at.slice(11, 16);
    learners(next.learners);
    stars(next.stars);
    unitsChart(next.units);
    examsChart(next.exams);
  }

  let polls = 0;
  async function poll() {
    try {
      const response = await fetch(labels.url, { cache: "no-store", credentials: "omit" });
      if (response.status === 404) {
        window.location.reload();
        return;
      }
      if (response.ok) {
        data = await response.json();
        render(data);
        root.dataset.polls = String(++polls);
      }
    } catch (error) {
      // the network is down: keep what is shown and try again next time
    }
    window.setTimeout(poll, every);
  }

  render(data);
  window.addEventListener("resize", () => {
    Object.values(charts).forEach((chart) => chart.resize());
    render(data);
  });
  window.setTimeout(poll, every);
})();
