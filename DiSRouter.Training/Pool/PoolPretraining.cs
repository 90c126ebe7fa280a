using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Training.Pool;

/// <summary>
/// The whole <c>pretrain</c> job: build the corpus, train the members (resuming or skipping) on one or more
/// lanes, evaluate the finished members and write <c>manifest.json</c> in cascade order. A lane with no member left
/// to train evaluates the members already trained while the other lanes finish theirs; whatever is left is evaluated
/// after training. Evaluation figures of a member whose files and evaluation settings are unchanged are taken from the
/// previous manifest.
/// </summary>
internal static class PoolPretraining
{
    internal sealed record Options
    {
        public required string PoolDirectory { get; init; }
        public required string WorkDirectory { get; init; }
        public IReadOnlyList<string>? Only { get; init; }
        public double StepsScale { get; init; } = 1;
        public int EvalItemsPerFamily { get; init; } = PoolEvaluation.DefaultItemsPerFamily;
        public bool Evaluate { get; init; } = true;
        public int Parallelism { get; init; } = Environment.ProcessorCount;

        /// <summary>
        /// Members trained at once, each on its own thread with the engine's threads shared out (0: one lane per
        /// processor). WHY: a small member's step is too small to keep two cores busy (nano-1 and nano-2 step as fast
        /// on one thread as on two), so two members side by side on a core each finish the pool in about two thirds
        /// of the time of one member on both. Weights do not depend on it (tested).
        /// </summary>
        public int Lanes { get; init; }
        public TimeSpan CheckpointEvery { get; init; } = TimeSpan.FromMinutes(1);
        public required string Command { get; init; }
        public IReadOnlyList<PoolMemberSpec> Members { get; init; } = NanoPool.Members;
        public CorpusSpec Corpus { get; init; } = NanoPool.Corpus;
        public bool DryRun { get; init; }
    }

    public static int Run(Options o, IPoolReporter reporter, CancellationToken ct) => reporter.Run(progress =>
    {
        var tokenizer = ByteTokenizer.Default;
        var members = Scaled(o.Members, o.StepsScale);
        if (o.Only is { } only && only.Except(members.Select(m => m.Name)).ToArray() is { Length: > 0 } unknown)
        {
            progress.Info($"Unknown member(s): {string.Join(", ", unknown)}.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var corpus = NanoWorld.BuildCorpus(o.Corpus, tokenizer);
        progress.Info($"corpus: {corpus.Examples.Count:N0} examples, {corpus.TotalTokens:N0} tokens, {corpus.Dropped} dropped as too long, " +
                      $"data hash {corpus.DataHash[..12]} ({string.Join(", ", corpus.CountsBySource.Select(kv => $"{kv.Key} {kv.Value}"))}); built in {clock.Elapsed.TotalSeconds:F1} s");
        if (o.DryRun)
        {
            var sorted = corpus.Lengths.Order().ToArray();
            progress.Info($"lengths: p50 {sorted[sorted.Length / 2]}, p90 {sorted[sorted.Length * 9 / 10]}, p99 {sorted[sorted.Length * 99 / 100]}, max {sorted[^1]}");
            foreach (var m in members)
                progress.Info($"{m.Name}: {TransformerModelParameters(m):N0} params, {m.Steps} steps x {m.BatchSize} = {(double)m.Steps * m.BatchSize / corpus.Examples.Count:F2} epochs, " +
                              $"{FlopsEstimate.PerToken(m.Config):N0} FLOPs/token");
            return 0;
        }

        var toTrain = members.Where(m => o.Only is null || o.Only.Contains(m.Name)).ToList();
        var evaluations = new MemberEvaluations(tokenizer, o);
        var interrupted = TrainAll(toTrain, corpus, tokenizer, o, progress, o.Evaluate ? evaluations : null, ct);
        foreach (var (spec, result) in interrupted)
            progress.Info($"{spec.Name}: interrupted at step {result.Step}; state saved under {o.WorkDirectory}. Run the same command to resume.");
        if (interrupted.Count > 0) return 130;
        progress.Info($"training done in {clock.Elapsed.TotalMinutes:F1} min");
        if (!o.Evaluate) return 0;

        var manifest = BuildManifest(members, corpus, tokenizer, o, evaluations, progress, ct);
        manifest.Save(Path.Combine(o.PoolDirectory, PoolManifest.FileName));
        foreach (var m in manifest.Models)
            progress.Info($"{m.Name}: {m.Parameters:N0} params, ID {100 * m.Accuracy!.InDomain:F1} %, OOD {100 * m.Accuracy.OutOfDomain:F1} %, " +
                          $"{m.MeanLatencyMs:F1} ms/query, {m.FlopsPerToken:N0} FLOPs/token");
        progress.Info($"pool written to {o.PoolDirectory} in {clock.Elapsed.TotalMinutes:F1} min");
        return 0;
    });

    private static long TransformerModelParameters(PoolMemberSpec m) => Models.TransformerModel.CreateEmpty(m.Config).ParameterCount;

    public static IReadOnlyList<PoolMemberSpec> Scaled(IReadOnlyList<PoolMemberSpec> members, double scale) =>
        scale == 1 ? members : members.Select(m => m with
        {
            Steps = Math.Max(1, (int)Math.Round(m.Steps * scale)),
            WarmupSteps = Math.Max(1, (int)Math.Round(m.WarmupSteps * Math.Min(1, scale))),
        }).ToArray();

    /// <summary>
    /// Trains the members on <see cref="Options.Lanes"/> threads, each lane taking the costliest member not yet
    /// started, and returns the members left unfinished by cancellation. A failing member cancels the other lanes
    /// (their state is saved, as on Ctrl+C) and its exception is rethrown. With <paramref name="evaluations"/>, a lane
    /// that finds nothing left to train evaluates the members trained so far, one query at a time: WHY: the lanes
    /// never finish together (the largest member's lane runs minutes longer), and evaluating the pool on 1000 test items
    /// a family after training would otherwise add minutes to the 45 the whole pool may take.
    /// </summary>
    private static List<(PoolMemberSpec Spec, PretrainResult Result)> TrainAll(IReadOnlyList<PoolMemberSpec> members, PretrainCorpus corpus,
        ITokenizer tokenizer, Options o, IPoolProgress progress, MemberEvaluations? evaluations, CancellationToken ct)
    {
        var trained = new ConcurrentQueue<PoolMemberSpec>();
        int lanes = Math.Clamp(o.Lanes > 0 ? o.Lanes : Environment.ProcessorCount, 1, Math.Max(1, members.Count));
        var queue = new ConcurrentQueue<PoolMemberSpec>(members.OrderByDescending(EstimatedWork));
        var interrupted = new ConcurrentBag<(PoolMemberSpec Spec, PretrainResult Result)>();
        var failures = new ConcurrentQueue<Exception>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        int engineThreads = Models.Kernels.EngineThreads.Count;
        Models.Kernels.EngineThreads.Count = Math.Max(1, engineThreads / lanes);
        try
        {
            if (lanes > 1) progress.Info($"training {members.Count} member(s) on {lanes} lanes, {Models.Kernels.EngineThreads.Count} engine thread(s) each");
            var threads = Enumerable.Range(0, lanes).Select(_ => new Thread(() =>
            {
                while (!stop.IsCancellationRequested && queue.TryDequeue(out var spec))
                {
                    try
                    {
                        var result = TrainMember(spec, corpus, tokenizer, o, progress, stop.Token);
                        if (result.Status == PretrainStatus.Cancelled) interrupted.Add((spec, result));
                        else trained.Enqueue(spec);
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue(e);
                        stop.Cancel();
                    }
                }
                // Nothing left to train on this lane: evaluate what the lanes have finished, while the others train on.
                while (lanes > 1 && evaluations is not null && !stop.IsCancellationRequested && queue.IsEmpty && trained.TryDequeue(out var done))
                {
                    try
                    {
                        evaluations.Evaluate(done, parallelism: 1, progress, stop.Token, onFreeLane: true);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue(e);
                        stop.Cancel();
                    }
                }
            }) { IsBackground = true, Name = "pretrain lane" }).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
        }
        finally
        {
            Models.Kernels.EngineThreads.Count = engineThreads;
        }
        if (failures.TryPeek(out var failure)) ExceptionDispatchInfo.Throw(failure);
        return [.. members.SelectMany(m => interrupted.Where(x => x.Spec.Name == m.Name))];
    }

    // A step's time grows with the FLOPs per token plus a fixed part that dominates the smallest members (measured on
    // one thread of the two-core EPYC: 21, 46, 84, 155, 243 ms for nano-1 … nano-5 at 0.10 … 2.67 MFLOPs per token);
    // only the order matters, so that the longest member starts first and the lanes finish together.
    private static double EstimatedWork(PoolMemberSpec m) => (double)m.Steps * m.BatchSize * (FlopsEstimate.PerToken(m.Config) + 140_000);

    private static PretrainResult TrainMember(PoolMemberSpec spec, PretrainCorpus corpus, ITokenizer tokenizer, Options o, IPoolProgress progress, CancellationToken ct)
    {
        var sut = new ModelPretrainer(spec, corpus, tokenizer);
        var output = Path.Combine(o.PoolDirectory, spec.Name);
        if (sut.IsFinished(output, out var done))
        {
            progress.Info($"{spec.Name}: already trained (loss {done!.FinalLoss:F3}, {done.TrainSeconds:F0} s); skipped");
            return new(PretrainStatus.Skipped, done, spec.Steps);
        }
        var bar = progress.Bar($"{spec.Name} training", spec.Steps);
        var clock = Stopwatch.StartNew();
        int first = 0;
        double ema = double.NaN;
        var result = sut.Run(Path.Combine(o.WorkDirectory, spec.Name), output, new PretrainRunOptions
        {
            CheckpointEvery = o.CheckpointEvery,
            OnResume = step => { first = step; if (step > 0) progress.Info($"{spec.Name}: resuming at step {step}/{spec.Steps}"); bar.Update(step); },
            OnStep = (step, loss) =>
            {
                ema = double.IsNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
                double perStep = clock.Elapsed.TotalSeconds / Math.Max(1, step - first);
                bar.Update(step, $"{spec.Name} training  loss {ema:F3}  {perStep * 1000:F0} ms/step");
            },
        }, ct);
        if (result.Status == PretrainStatus.Trained)
        {
            bar.Finish($"{spec.Name} trained  loss {result.Info!.FinalLoss:F3}  {result.Info.TrainSeconds:F0} s");
            progress.Info($"{spec.Name}: trained, final loss {result.Info.FinalLoss:F3}, {result.Info.TokensSeen:N0} tokens, {result.Info.TrainSeconds:F0} s");
        }
        return result;
    }

    private static PoolManifest BuildManifest(IReadOnlyList<PoolMemberSpec> members, PretrainCorpus corpus, ITokenizer tokenizer,
        Options o, MemberEvaluations evaluations, IPoolProgress progress, CancellationToken ct)
    {
        var families = NanoWorld.Suite(o.Corpus).Families.Select(f => f.Name).ToList();
        var entries = new List<PoolManifestModel>();
        foreach (var spec in members)
        {
            var directory = Path.Combine(o.PoolDirectory, spec.Name);
            if (!new ModelPretrainer(spec, corpus, tokenizer).IsFinished(directory, out var info)) continue;
            var figures = evaluations.Evaluate(spec, o.Parallelism, progress, ct);
            entries.Add(new PoolManifestModel
            {
                Name = spec.Name, Directory = spec.Name, Config = spec.Config,
                Parameters = Checkpoint.Load(directory).Model.ParameterCount,
                Seed = spec.Seed, Command = o.Command, DataHash = corpus.DataHash, Cost = spec.Cost, MaxNewTokens = spec.MaxNewTokens,
                FlopsPerToken = FlopsEstimate.PerToken(spec.Config), Training = info!, Accuracy = figures.Accuracy,
                MeanLatencyMs = figures.LatencyMs, MeanTokens = figures.Tokens, Files = figures.Files,
            });
        }
        return new PoolManifest
        {
            Pool = NanoPool.Name,
            Description = "Five byte-level decoders of rising size trained from scratch on the nano world; cascade order, cheapest first.",
            GeneratorVersion = NanoWorld.GeneratorVersion,
            DataHash = corpus.DataHash,
            Command = o.Command,
            Evaluation = new EvaluationInfo
            {
                Split = "test", ItemsPerFamily = o.EvalItemsPerFamily, Families = families,
                Command = $"dotnet run -c Release --project DiSRouter.Training -- evaluate --pool {NanoPool.Name} --split test --items-per-family {o.EvalItemsPerFamily}",
                // Figures all taken from the previous manifest keep the line that says how they were measured.
                Machine = evaluations.Measured.Count == 0 && evaluations.PreviousEvaluation is { } kept ? kept.Machine
                    : $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, parallel {o.Parallelism}"
                      + (evaluations.OnFreeLane.Count > 0 ? $" ({string.Join(", ", evaluations.OnFreeLane.Order(StringComparer.Ordinal))}: 1, on a free lane beside training)" : ""),
            },
            Models = entries,
        };
    }
}
