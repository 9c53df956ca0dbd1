// A rule's distribution of declared values (/declarations/rules/<id>), with Chart.js (vendored in
// static/vendor/chartjs). The numbers come from <script type="application/json" id="distribution-data">;
// the table beside the chart holds the same values, for screen readers and narrow screens.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("distribution-data");
  const canvas = document.getElementById("distribution-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const label = (row) => `${+row.low.toPrecision(4)}–${+row.high.toPrecision(4)}`;
  // Before any valid declaration the page has no bins (the trials' values are confidential): an
  // axis spanning the thresholds and the benchmark, with the lines only.
  const marks = [...data.thresholds.map((item) => item.limit), ...(data.benchmark !== null ? [data.benchmark] : [])];
  const linesOnly = data.bins.length === 0;
  if (linesOnly && marks.length === 0) return;
  if (linesOnly) {
    const low = Math.min(...marks);
    const high = Math.max(...marks);
    const pad = (high - low) * 0.1 || Math.abs(high) * 0.1 || 1;
    const edges = [low - pad, high + pad];
    data.bins = [{ low: edges[0], high: edges[1], count: 0 }];
  }
  // Where a value falls on the category axis (bins of equal width): a fractional index.
  const position = (value) => {
    const first = data.bins[0];
    const width = first.high - first.low || 1;
    return (value - first.low) / width - 0.5;
  };
  const lines = data.thresholds.map((item) => ({ x: position(item.limit), text: `${item.grade} ≤ ${item.limit}`, colour: "#b8741a" }));
  if (data.benchmark !== null) lines.push({ x: position(data.benchmark), text: `${data.text.benchmark} ${+data.benchmark.toPrecision(4)}`, colour: "#9b1c1c" });
  const markers = {
    id: "markers",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      ctx.save();
      lines.forEach((line, index) => {
        const x = scales.x.getPixelForValue(line.x);
        if (x < chartArea.left - 1 || x > chartArea.right + 1) return;
        ctx.strokeStyle = line.colour;
        ctx.setLineDash(line.colour === "#9b1c1c" ? [] : [5, 4]);
        ctx.beginPath();
        ctx.moveTo(x, chartArea.top);
        ctx.lineTo(x, chartArea.bottom);
        ctx.stroke();
        ctx.fillStyle = line.colour;
        ctx.font = "11px sans-serif";
        ctx.fillText(line.text, Math.min(x + 3, chartArea.right - 60), chartArea.top + 12 + 12 * index);
      });
      ctx.restore();
    },
  };
  const chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.bins.map(label),
      datasets: linesOnly ? [] : [{ label: data.text.count, data: data.bins.map((row) => row.count), backgroundColor: "#2f6db3" }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, display: !linesOnly, ticks: { precision: 0 } }, x: { title: { display: true, text: `kg CO₂e/${data.text.unit}` } } },
    },
    plugins: [markers],
  });
  const fit = () => chart.resize();
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
});
