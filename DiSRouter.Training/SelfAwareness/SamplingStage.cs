using System.Text.Json;
using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Training.SelfAwareness;

internal sealed record SamplingOptions
{
    /// <summary>N: samples per query; p(x) is measured in steps of 1/N.</summary>
    public int SamplesPerQuery { get; init; } = 8;

    /// <summary>1: the model's own distribution, so p(x) estimates how often it really gets x right.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Room for a chain of thought; a sample cut off here is graded as it stands.</summary>
    public int MaxNewTokens { get; init; } = 256;

    public int Seed { get; init; }

    /// <summary>Null: our engine. Else the TorchSharp engine on this device ("cuda", "cpu", "auto"); same seeds, same sampler.</summary>
    public string? TorchDevice { get; init; }
}

/// <summary>
/// Stage 1 of self-awareness training: the agent's own base model answers every training query N times with
/// chain-of-thought at temperature 1; each sample is graded, and p(x) is the fraction correct.
/// Writes <c>samples.jsonl</c> (one line per finished query, appended and flushed as it finishes) and
/// <c>sample-report.json</c>. A rerun skips the queries already in the file, and each query's samples are seeded by
/// (seed, query id) alone, so a resumed run ends with exactly the file an uninterrupted run writes (<see cref="StageRunner"/>).
/// </summary>
internal sealed class SamplingStage(TransformerModel model, ITokenizer tokenizer, IReplyGrader grader, SamplingOptions options)
{
    public const string Name = "sample";
    public const string SamplesFile = "samples.jsonl";

    public SamplingOptions Options { get; } = Validate(options);

    public static string SamplesPath(string runDirectory) => Path.Combine(runDirectory, SamplesFile);

    /// <summary>The report detail that names the weights the samples were drawn from.</summary>
    public const string ModelDetail = "model_weights_sha256";


    /// <summary>Samples every query not yet in the run's file; returns every record of the file, finished ones first.</summary>
    public IReadOnlyList<QuerySamples> Run(IReadOnlyList<TrainingQuery> queries, string runDirectory,
        Action<StageProgress>? progress = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(runDirectory);
        var path = SamplesPath(runDirectory);
        var reportPath = StageReport.PathFor(runDirectory, Name);
        var records = JsonlFile.Read<QuerySamples>(path);
        var done = records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var q in queries)
            if (!ids.Add(q.Id)) throw new ArgumentException($"Query id '{q.Id}' appears twice.", nameof(queries));

        var previous = StageReport.TryLoad(reportPath);
        var fingerprint = Models.Checkpoints.WeightsFingerprint.Of(model);
        // A run folder holds one model's samples: resuming it with another (a retrained pool member) would mix the two
        // models' capabilities in one p(x) file without a trace.
        if (records.Count > 0 && previous?.Details.GetValueOrDefault(ModelDetail) is { ValueKind: JsonValueKind.String } seen && seen.GetString() != fingerprint)
            throw new InvalidOperationException($"{path} holds samples of another model (weights {seen.GetString()}, this model {fingerprint}); " +
                $"sample into another --out, or delete {runDirectory} to start over.");
        var meter = new StageMeter(Name, previous);
        meter.Detail(ModelDetail, fingerprint);
        meter.Detail("samples_per_query", Options.SamplesPerQuery);
        meter.Detail("temperature", Options.Temperature);
        meter.Detail("max_new_tokens", Options.MaxNewTokens);
        meter.Detail("seed", Options.Seed);
        meter.Detail("queries", queries.Count);
        var todo = queries.Where(q => !done.Contains(q.Id)).ToList();
        int finished = queries.Count - todo.Count;

        ITextGenerator generator = Options.TorchDevice is { } device
            ? new Models.Torch.TorchInferenceEngine(device).Open(new Models.Checkpoints.LoadedCheckpoint(model, tokenizer, new Dictionary<string, string>()))
            : new Generator(model, tokenizer);
        // Each finished query is a line flushed to samples.jsonl, the resume point itself: the runner saves the report alone.
        var runner = new StageRunner("sampling", meter, reportPath) { Progress = progress };
        using (var log = JsonlFile.OpenAppend(path))
        {
            runner.Run(finished, queries.Count, i =>
            {
                var record = SampleOne(generator, todo[i - finished], meter, ct);
                JsonlFile.Append(log, record);
                records.Add(record);
                meter.Detail("queries_done", i + 1);
                return $"p={record.Capability:0.00}";
            }, ct);
        }

        var inScope = queries.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
        var mine = records.Where(r => inScope.Contains(r.Id)).ToList();
        meter.Detail("queries_done", mine.Count);
        meter.Detail("mean_capability", mine.Count == 0 ? 0 : mine.Average(r => r.Capability));
        meter.Detail("capability_histogram", Histogram(mine, Options.SamplesPerQuery));
        runner.Complete();
        return mine;
    }

    private QuerySamples SampleOne(ITextGenerator generator, TrainingQuery q, StageMeter meter, CancellationToken ct)
    {
        var prompt = ChatFormat.EncodePrompt(tokenizer, q.System, q.Question);
        var results = generator.Generate(prompt, new GenerationOptions
        {
            MaxNewTokens = Options.MaxNewTokens,
            Temperature = (float)Options.Temperature,
            Seed = StableSeed.Derive(Options.Seed, Name, q.Id),
            NumSamples = Options.SamplesPerQuery,
        }, ct: ct);
        ct.ThrowIfCancellationRequested(); // an aborted generate must not be recorded as the query's samples
        var samples = results.Select(r =>
        {
            var graded = grader.Grade(q, r.Text);
            return new SampleRecord { Text = r.Text, Answer = graded.Answer, Correct = graded.Correct, Tokens = r.TokenIds.Length };
        }).ToList();
        meter.PromptTokens += prompt.Length;
        meter.GeneratedTokens += samples.Sum(s => s.Tokens);
        meter.SamplesDrawn += samples.Count;
        return new QuerySamples
        {
            Id = q.Id,
            Family = q.Family,
            Difficulty = q.Difficulty,
            System = q.System,
            Question = q.Question,
            Reference = q.Reference,
            Samples = samples,
        };
    }

    /// <summary>How many queries have k correct samples, k = 0 … N.</summary>
    private static int[] Histogram(IEnumerable<QuerySamples> records, int n)
    {
        var h = new int[n + 1];
        foreach (var r in records) h[Math.Clamp(r.CorrectCount, 0, n)]++;
        return h;
    }

    private static SamplingOptions Validate(SamplingOptions o)
    {
        if (o.SamplesPerQuery < 1) throw new ArgumentOutOfRangeException(nameof(o), o.SamplesPerQuery, "At least one sample per query is needed.");
        if (o.Temperature < 0) throw new ArgumentOutOfRangeException(nameof(o), o.Temperature, "Temperature must not be negative.");
        if (o.MaxNewTokens < 1) throw new ArgumentOutOfRangeException(nameof(o), o.MaxNewTokens, "At least one new token is needed.");
        return o;
    }
}
