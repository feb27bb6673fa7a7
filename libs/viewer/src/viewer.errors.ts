/** Failures the viewer API reports to the browser; the controller maps them to HTTP statuses. */
export class ViewerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class DashboardNotFoundError extends ViewerError {
  constructor(uid: string) {
    super(404, `no dashboard ${JSON.stringify(uid)}`);
  }
}

export class PanelNotFoundError extends ViewerError {
  constructor(uid: string, panelId: number) {
    super(404, `dashboard ${uid} has no panel ${panelId}`);
  }
}

export class VariableNotFoundError extends ViewerError {
  constructor(uid: string, name: string) {
    super(404, `dashboard ${uid} has no variable ${JSON.stringify(name)}`);
  }
}

/** A request the viewer refuses before anything runs (bad values, a panel it cannot query). */
export class ViewerRequestError extends ViewerError {
  constructor(message: string) {
    super(400, message);
  }
}

/** The panel's query failed in the warehouse; the message is shown in the panel. */
export class PanelQueryError extends ViewerError {
  constructor(message: string) {
    super(422, message);
  }
}

/** The panel reads a datasource this host does not have (Prometheus without a metrics history). */
export class DatasourceUnavailableError extends ViewerError {
  constructor(datasource: string) {
    super(501, `this viewer has no ${datasource} datasource: see this panel in Grafana (distributed mode)`);
  }
}
