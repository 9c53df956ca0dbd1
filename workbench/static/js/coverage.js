// The coverage page's charts (Chart.js, vendored in static/vendor/chartjs). The numbers come from
// the page's <script type="application/json" id="coverage-data">; the tables beside each chart
// hold the same numbers, so nothing is lost without JavaScript or when printing in black and white.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("coverage-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const charts = [];
  const colours = ["#1f6f43", "#2f6db3", "#b8741a", "#7a4fa3", "#6b7280"];
  const common = {
    responsive: true,
    maintainAspectRatio: false, // the container (.coverage-canvas) sets the height
    animation: false,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
  };

  const burnUp = document.getElementById("burn-up-chart");
  if (burnUp && data.years.length) {
    charts.push(
      new window.Chart(burnUp, {
        type: "line",
        data: {
          labels: data.years,
          datasets: [
            { label: data.text.actual, data: data.actual, borderColor: colours[0], backgroundColor: colours[0], spanGaps: false },
            { label: data.text.projected, data: data.projected, borderColor: colours[2], backgroundColor: colours[2], borderDash: [6, 4], spanGaps: true },
            { label: data.text.target, data: data.targets, borderColor: "#9b1c1c", backgroundColor: "#9b1c1c", showLine: false, pointStyle: "rectRot", pointRadius: 7 },
          ],
        },
        options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
    );
  }

  const levels = document.getElementById("levels-chart");
  if (levels && data.level_years.length) {
    charts.push(
      new window.Chart(levels, {
        type: "bar",
        data: {
          labels: data.level_years,
          datasets: data.levels.map((level, index) => ({
            label: level.label,
            data: level.counts,
            backgroundColor: colours[index % colours.length],
          })),
        },
        options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
      }),
    );
  }

  // Printing changes the page width without a resize event: fit the canvases to the paper.
  const fit = () => charts.forEach((chart) => chart.resize());
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
});
