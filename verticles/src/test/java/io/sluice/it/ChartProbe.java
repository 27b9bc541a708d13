package io.sluice.it;

import java.util.ArrayList;
import java.util.List;

/** What the dashboard's uPlot charts (window.sluiceCharts) hold and draw, read in the browser. */
final class ChartProbe {
  private final Browser browser;

  ChartProbe(Browser browser) {
    this.browser = browser;
  }

  static List<Object> list(Object js) {
    return new ArrayList<>((List<?>) js);
  }

  /** The outcome of each window shaded on a chart ("current" for the one being judged). */
  List<Object> shaded(String chart) {
    return list(browser.js("return (sluiceCharts[arguments[0]].sluiceWindows || []).map(w => w.outcome)", chart));
  }

  /** The colour (r, g, b, a) drawn at the top of the plot in the middle of the first shaded window. */
  List<Object> shadeColour(String chart) {
    return list(browser.js("const u = sluiceCharts[arguments[0]]; const w = u.sluiceWindows[0];"
        + "const x = Math.round(u.valToPos((w.from + w.to) / 2, 'x', true));"
        + "return Array.from(u.ctx.getImageData(x, Math.round(u.bbox.top) + 3, 1, 1).data);", chart));
  }

  /** How many points of a chart's series are drawn (not null). */
  int points(String chart, int series) {
    return ((Number) browser.js("return sluiceCharts[arguments[0]].data[arguments[1]].filter(v => v !== null).length",
        chart, series)).intValue();
  }
}
