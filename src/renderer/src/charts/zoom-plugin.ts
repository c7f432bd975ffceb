// Registers chartjs-plugin-zoom with Chart.js. Kept apart from line-chart.ts because the plugin's touch support
// (hammerjs) needs a browser's window at import: only components import this module, never the unit tests.
import { Chart } from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';

Chart.register(zoomPlugin);
