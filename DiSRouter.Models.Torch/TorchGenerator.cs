using System.Diagnostics;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using static TorchSharp.torch;

namespace DiSRouter.Models.Torch;

/// <summary>
/// KV-cached generation on libtorch with the managed <see cref="Generator"/>'s semantics: one prompt pass, its cache
/// shared out to N samples decoded together as one batch; sample i draws from the stream seeded Seed + i with the same
/// sampler; the first-token hook sees the prompt pass's logits; eos, stop strings, length and abort end a sample the
/// same way. So on the same weights both engines give the same tokens (bit-equal logits are not promised: float
/// sums run in another order). Not thread-safe: one call at a time per instance.
/// </summary>
public sealed class TorchGenerator(TorchTransformer model, ITokenizer tokenizer) : ITextGenerator
{
    private readonly TorchTransformer _model = model ?? throw new ArgumentNullException(nameof(model));
    private readonly ITokenizer _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));

    public TorchTransformer Model => _model;
    public ITokenizer Tokenizer => _tokenizer;

    public IReadOnlyList<GenerationResult> Generate(int[] prompt, GenerationOptions options, Func<int, string, bool>? shouldContinue = null,
        CancellationToken ct = default, GenerationTimings? timings = null)
    {
        long t0 = Stopwatch.GetTimestamp();
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = _model.Config;
        int p = prompt.Length, n = options.NumSamples, vocab = config.VocabSize;
        if (p == 0) throw new ArgumentException("The prompt needs at least one token.", nameof(prompt));
        if (p > config.MaxPositionEmbeddings)
            throw new ArgumentException($"The prompt has {p} tokens; the model reads at most {config.MaxPositionEmbeddings}.", nameof(prompt));
        foreach (int id in prompt)
            if ((uint)id >= (uint)vocab) throw new ArgumentException($"Prompt token {id} is outside the model's vocabulary [0, {vocab}).", nameof(prompt));

        int maxNew = Math.Min(options.MaxNewTokens, config.MaxPositionEmbeddings - p + 1);
        var samples = new Sample[n];
        for (int i = 0; i < n; i++) samples[i] = new Sample(new SampleRng((long)options.Seed + i));
        if (maxNew == 0) return samples.Select(s => Result(s, FinishReasons.Length, p)).ToArray();
        ct.ThrowIfCancellationRequested();

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var cache = new TorchKvCache(_model, n, p + maxNew - 1);
        long t1 = Stopwatch.GetTimestamp();
        // ---- prompt pass into cache row 0, then shared out to every sample's row
        float[] logits = LastRows(_model.Forward(tensor(prompt.Select(x => (long)x).ToArray(), [1, p], device: _model.Device), 0, cache));
        cache.BroadcastRow0(p);
        long t2 = Stopwatch.GetTimestamp(), t3 = 0;

        var sampler = new Sampler(vocab);
        bool needText = options.StopStrings.Count > 0 || shouldContinue is not null;
        var active = Enumerable.Range(0, n).ToList();   // cache row j belongs to active[j]
        for (int step = 0; ; step++)
        {
            for (int j = 0; j < active.Count; j++)
            {
                var s = samples[active[j]];
                var row = logits.AsSpan((step == 0 ? 0 : j) * vocab, vocab);   // after the prompt pass every sample reads row 0
                int token = (step == 0 ? options.ChooseFirstToken?.Invoke(row) : null) ?? sampler.Next(row, options.Temperature, options.TopP, ref s.Rng);
                if ((uint)token >= (uint)vocab)
                    throw new InvalidOperationException($"The first-token choice returned {token}, outside the vocabulary [0, {vocab}).");
                s.Ids.Add(token);
                s.Finish = SampleStop.Check(_tokenizer, s.Ids, ref s.Text, active[j], token, options, maxNew, needText, shouldContinue);
            }
            if (step == 0) t3 = Stopwatch.GetTimestamp();
            var keep = Enumerable.Range(0, active.Count).Where(j => samples[active[j]].Finish is null).Select(j => (long)j).ToArray();
            if (keep.Length == 0) break;
            if (keep.Length < active.Count && step > 0) cache.Compact(keep, p + step);
            active = keep.Select(j => active[(int)j]).ToList();
            ct.ThrowIfCancellationRequested();

            // ---- one decode step: the newest token of every running sample, as one (N, 1) batch at position p + step
            var feed = active.Select(i => (long)samples[i].Ids[^1]).ToArray();
            using var inner = NewDisposeScope();
            logits = LastRows(_model.Forward(tensor(feed, [feed.Length, 1], device: _model.Device), p + step, cache));
        }
        if (timings is not null)
        {
            // The same split as the managed Generator's, so an agent's first-token figures mean the same on both engines.
            timings.SetUp = Stopwatch.GetElapsedTime(t0, t1);
            timings.Prefill = Stopwatch.GetElapsedTime(t1, t2);
            timings.FirstToken = Stopwatch.GetElapsedTime(t2, t3);
            timings.Decode = Stopwatch.GetElapsedTime(t3);
        }
        return samples.Select(s => Result(s, s.Finish!, p)).ToArray();
    }

    /// <summary>Encodes a chat prompt with <see cref="ChatFormat"/> (the model's own template for a Hugging Face one) and generates.</summary>
    public IReadOnlyList<GenerationResult> Generate(string? system, string user, GenerationOptions options, Func<int, string, bool>? shouldContinue = null,
        CancellationToken ct = default) =>
        Generate(ChatFormat.EncodePrompt(_tokenizer, system, user), options, shouldContinue, ct);

    // logits (B, T, V) → the last position of every row, (B·V) on the host
    private static float[] LastRows(Tensor logits) => TorchTransformer.Read(logits.select(1, logits.shape[1] - 1));

    private static GenerationResult Result(Sample s, string finish, int promptTokens) => new(s.Text, s.Ids.ToArray(), finish, promptTokens);

    private sealed class Sample(SampleRng rng)
    {
        public SampleRng Rng = rng;
        public readonly List<int> Ids = [];
        public string Text = "";
        public string? Finish;
    }
}
