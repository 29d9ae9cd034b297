import Jobs

extension JobPage.Model {
    /// The page of a job the controller found in the organization's queue (the same look-up as the
    /// job's JSON, `JobsController.show`).
    init(_ job: JobSummary) {
        self.init(id: job.id, kind: job.kind, state: job.state, progress: job.progress, message: job.progressMessage)
    }
}
