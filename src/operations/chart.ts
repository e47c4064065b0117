/** A horizontal bar chart as plain SVG geometry, rendered on the server: no script, works in print. */
export interface BarChart {
  width: number
  height: number
  bars: { label: string; value: number; y: number; width: number; labelY: number }[]
  labelWidth: number
}

export function barChart(
  items: { label: string; value: number }[],
  options = { width: 640, barHeight: 22, gap: 8, labelWidth: 240 },
): BarChart {
  const max = Math.max(1, ...items.map((i) => i.value))
  const plot = options.width - options.labelWidth - 50
  const bars = items.map((item, index) => {
    const y = index * (options.barHeight + options.gap)
    return {
      label: item.label,
      value: item.value,
      y,
      width: Math.max(item.value > 0 ? 2 : 0, Math.round((item.value / max) * plot)),
      labelY: y + options.barHeight * 0.7,
    }
  })
  return {
    width: options.width,
    height: Math.max(options.barHeight, items.length * (options.barHeight + options.gap)),
    bars,
    labelWidth: options.labelWidth,
  }
}
