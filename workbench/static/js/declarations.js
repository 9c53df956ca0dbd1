// A rule's distribution of declared values (/declarations/rules/<id>), with Chart.js (vendored in
// static/vendor/chartjs). The numbers come from <script type="application/json" id="distribution-data">;
// the table below the chart holds the same values, for screen readers and narrow screens. The
// labels (bins, thresholds, benchmark) come formatted from the server: one number format on the page.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("distribution-data");
  const canvas = document.getElementById("distribution-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  // Before any valid declaration the page has no bins (the trials' values are confidential): an
  // axis spanning the thresholds and the benchmark, with the lines only.
  const marks = [...data.thresholds.map((item) => item.limit), ...(data.benchmark !== null ? [data.benchmark] : [])];
  const linesOnly = data.bins.length === 0;
  if (linesOnly && marks.length === 0) return;
  if (linesOnly) {
    const low = Math.min(...marks);
    const high = Math.max(...marks);
    const pad = (high - low) * 0.1 || Math.abs(high) * 0.1 || 1;
    data.bins = [{ low: low - pad, high: high + pad, count: 0, label: "" }];
  }
  // Where a value falls on the category axis: a fractional index inside its own bin (the bins
  // need not be of equal width: their edges are the class limits where the rule has classes).
  const position = (value) => {
    const bins = data.bins;
    let index = bins.findIndex((row) => value <= row.high);
    if (index === -1) index = bins.length - 1;
    const row = bins[index];
    const width = row.high - row.low || 1;
    return index - 0.5 + (value - row.low) / width;
  };
  const BENCHMARK = "#9b1c1c";
  const lines = data.thresholds.map((item) => ({ x: position(item.limit), text: item.label, colour: "#8a5312" }));
  if (data.benchmark !== null) lines.push({ x: position(data.benchmark), text: `${data.text.benchmark} ${data.benchmark_label}`, colour: BENCHMARK });
  const ROW = 16; // one row of labels above the plot area
  let rows = 1;
  // The lines across the plot; their labels above it, on a white ground, in as many rows as they
  // need not to overlap (the chart grows its top padding to fit them, once).
  const markers = {
    id: "markers",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      ctx.save();
      ctx.font = "12px sans-serif";
      ctx.textBaseline = "middle";
      const taken = [];
      let needed = 1;
      lines.forEach((line) => {
        const x = scales.x.getPixelForValue(line.x);
        if (x < chartArea.left - 1 || x > chartArea.right + 1) return;
        const width = ctx.measureText(line.text).width + 8;
        const left = Math.max(0, Math.min(x - width / 2, chart.width - width));
        let row = 0;
        while (taken.some((item) => item.row === row && left < item.right + 4 && left + width > item.left - 4)) row += 1;
        taken.push({ row, left, right: left + width });
        needed = Math.max(needed, row + 1);
        const y = chartArea.top - 10 - ROW * row - ROW / 2;
        ctx.strokeStyle = line.colour;
        ctx.setLineDash(line.colour === BENCHMARK ? [] : [5, 4]);
        ctx.beginPath();
        ctx.moveTo(x, y + ROW / 2);
        ctx.lineTo(x, chartArea.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "rgba(255, 255, 255, 0.92)";
        ctx.fillRect(left, y - ROW / 2 + 1, width, ROW - 2);
        ctx.strokeRect(left, y - ROW / 2 + 1, width, ROW - 2);
        ctx.fillStyle = line.colour;
        ctx.fillText(line.text, left + 4, y);
      });
      ctx.restore();
      if (needed > rows) {
        rows = needed;
        chart.options.layout.padding.top = 12 + ROW * rows;
        chart.update();
      }
    },
  };
  const chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.bins.map((row) => row.label),
      datasets: linesOnly ? [] : [{ label: data.text.count, data: data.bins.map((row) => row.count), backgroundColor: "#2f6db3", categoryPercentage: 1, barPercentage: 0.96 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      layout: { padding: { top: 12 + ROW * rows } },
      plugins: { legend: { display: false } },
      scales: {
        y: { beginAtZero: true, display: !linesOnly, ticks: { precision: 0 }, title: { display: true, text: data.text.count } },
        x: { ticks: { display: !linesOnly }, title: { display: true, text: `kg CO₂e/${data.text.unit}` } },
      },
    },
    plugins: [markers],
  });
  const fit = () => chart.resize();
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
});
