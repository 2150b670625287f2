/**
 * What the page shows, as window.nablaDashboard: the browser tests (test/ui/dashboard.browser.test.ts) wait
 * on it, and the curious can read it in the console. Every view writes to `dash`.
 */
export interface DashboardState {
  ready: boolean;
  view: 'none' | 'live' | 'run' | 'compare';
  /** The run (live or opened) or the runs compared. */
  runs: string[];
  live: string | null;
  liveStatus: string;
  /** Points in the loss chart's first series, and the loss chart's series labels. */
  lossPoints: number;
  lossSeries: string[];
  /** What the charts' x axis counts. */
  xAxis: 'iteration' | 'epoch';
  epochs: number;
  modelUpdates: number;
  confusion: boolean;
  renders: number;
}

export const dash: DashboardState = {
  ready: false,
  view: 'none',
  runs: [],
  live: null,
  liveStatus: '',
  lossPoints: 0,
  lossSeries: [],
  xAxis: 'iteration',
  epochs: 0,
  modelUpdates: 0,
  confusion: false,
  renders: 0,
};
(window as unknown as { nablaDashboard: DashboardState }).nablaDashboard = dash;
