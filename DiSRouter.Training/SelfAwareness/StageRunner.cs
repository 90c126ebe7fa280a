namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// The loop every self-awareness stage runs (sample, sft, rl, calibrate): its units of work (a query sampled, an
/// optimizer step, an α calibrated) in order from where the last run stopped, a resume point every
/// <see cref="SaveEvery"/> units and on cancellation (Ctrl+C and SIGTERM both cancel the token, Program.cs) when work
/// was done since the last one, then the output published and the report marked complete.
/// Resume points and outputs are written whole or not at all (<see cref="AtomicWrite"/>): a run stopped at any moment,
/// in the middle of a save too, leaves the previous resume point or output as it was, and every unit's randomness is
/// seeded by its index, so a resumed run ends where an uninterrupted one does.
/// </summary>
internal sealed class StageRunner(string phase, StageMeter meter, string reportPath)
{
    /// <summary>Units between resume points (the last unit is never followed by one: the output is published instead).</summary>
    public int SaveEvery { get; init; } = 1;

    /// <summary>
    /// Writes a resume point of the units done so far, given the report as it stands (it travels with the resume point);
    /// null where every unit keeps itself as it finishes (a line flushed to an append-only log): a save then writes the report.
    /// </summary>
    public Action<StageReport>? Save { get; init; }

    /// <summary>Told before the first unit, after every unit and before every resume point is written (detail "saving"); null: the stage reports progress itself.</summary>
    public Action<StageProgress>? Progress { get; init; }

    /// <summary>Units saved in a resume point by this run (for tests and logs).</summary>
    public int Saves { get; private set; }

    /// <summary>
    /// Runs units <paramref name="done"/> … <paramref name="total"/> − 1; <paramref name="unit"/> does one and returns its
    /// progress detail. Cancellation is checked between units (and inside a unit by whatever it passes the token to);
    /// a cancelled run saves what it did since its last resume point and rethrows.
    /// </summary>
    public void Run(int done, int total, Func<int, string?> unit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(SaveEvery, 1);
        int saved = done;
        Progress?.Invoke(new StageProgress(phase, done, total));
        try
        {
            for (int i = done; i < total; i++)
            {
                ct.ThrowIfCancellationRequested();
                var detail = unit(i);
                done = i + 1;
                Progress?.Invoke(new StageProgress(phase, done, total, detail));
                if (done % SaveEvery == 0 && done < total)
                {
                    SaveNow(done, total);
                    saved = done;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Keep what was done since the last resume point rather than repeat it; with nothing new, the report alone
            // records this run's cost (the resume point on disk already holds every finished unit).
            if (done > saved) SaveNow(done, total);
            else meter.Snapshot(complete: false).Save(reportPath);
            throw;
        }
    }

    /// <summary>
    /// Publishes the stage's output (<paramref name="publish"/> writes it atomically), then marks the report complete and
    /// removes the resume point folder, in that order: a crash in between leaves the output and a resume point, from
    /// which a rerun redoes the last few units and publishes the same output again.
    /// </summary>
    public StageReport Complete(Action? publish = null, string? resumePoint = null)
    {
        publish?.Invoke();
        var report = meter.Snapshot(complete: true);
        report.Save(reportPath);
        if (resumePoint is not null && Directory.Exists(resumePoint)) Directory.Delete(resumePoint, recursive: true);
        return report;
    }

    private void SaveNow(int done, int total)
    {
        // The cancellation token is not passed on: a save once begun is finished (or, killed, leaves the last one).
        if (Save is not null) Progress?.Invoke(new StageProgress(phase, done, total, "saving"));
        var report = meter.Snapshot(complete: false);
        Save?.Invoke(report);
        report.Save(reportPath);
        Saves++;
    }
}
