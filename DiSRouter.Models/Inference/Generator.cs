using System.Diagnostics;
using System.Runtime.InteropServices;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Inference;

/// <summary>
/// Text generation with a KV cache. One prompt pass fills the cache, which is then copied to N rows so that N
/// samples decode together, one token per step, as a single (N, C) batch. The pass starts where the prompt parts
/// from a recent one (<see cref="PrefixCache"/>): an agent's prompts share their system prompt. Thread-safe: concurrent calls each
/// rent their own cache and buffers from a pool; nothing is locked while the model runs.
/// </summary>
public sealed class Generator(TransformerModel model, ITokenizer tokenizer) : ITextGenerator
{
    private readonly TransformerModel _model = model ?? throw new ArgumentNullException(nameof(model));
    private readonly ITokenizer _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));

    public TransformerModel Model => _model;
    public ITokenizer Tokenizer => _tokenizer;

    /// <summary>
    /// Generates <see cref="GenerationOptions.NumSamples"/> completions of <paramref name="prompt"/>.
    /// <paramref name="shouldContinue"/>(sampleIndex, textSoFar) is asked after every new token of a running sample;
    /// false stops that sample alone with FinishReason "aborted" (an agent that has read "I don't know" need not
    /// pay for the rest). Cancellation throws <see cref="OperationCanceledException"/>. <paramref name="timings"/>, when
    /// given, is filled with the call's time split (set-up, prefill, first token, decode).
    /// </summary>
    public IReadOnlyList<GenerationResult> Generate(int[] prompt, GenerationOptions options, Func<int, string, bool>? shouldContinue = null,
        CancellationToken ct = default, GenerationTimings? timings = null)
    {
        long t0 = timings is null ? 0 : Stopwatch.GetTimestamp();
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = _model.Config;
        int p = prompt.Length, n = options.NumSamples, vocab = config.VocabSize;
        if (p == 0) throw new ArgumentException("The prompt needs at least one token (e.g. <|bos|>).", nameof(prompt));
        if (p > config.MaxPositionEmbeddings)
            throw new ArgumentException($"The prompt has {p} tokens; the model reads at most {config.MaxPositionEmbeddings}.", nameof(prompt));
        foreach (int id in prompt)
            if ((uint)id >= (uint)vocab) throw new ArgumentException($"Prompt token {id} is outside the model's vocabulary [0, {vocab}).", nameof(prompt));

        // Token j of a sample is fed back at position p + j only if token j + 1 is wanted, so at most
        // MaxPositions − p + 1 tokens fit in the context.
        int maxNew = Math.Min(options.MaxNewTokens, config.MaxPositionEmbeddings - p + 1);
        var samples = new SampleState[n];
        for (int i = 0; i < n; i++) samples[i] = new SampleState(new SampleRng((long)options.Seed + i));
        if (maxNew == 0) return samples.Select(s => Result(s, FinishReasons.Length, p)).ToArray();
        ct.ThrowIfCancellationRequested();

        var weights = InferenceWeights.For(_model);
        var pool = InferenceWeights.PoolFor(_model);
        int maxT = p + maxNew - 1;
        var ws = pool.Rent(Math.Max(p, n), n, n, maxT);
        long t1 = timings is null ? 0 : Stopwatch.GetTimestamp(), t2 = 0, t3 = 0;
        int steps = 0, reused = 0;
        try
        {
            // ---- prompt pass into cache row 0 (from where the prompt parts from a recent one), then the cache is
            // shared out to every sample's row
            var prefixes = InferenceWeights.PrefixesFor(_model);
            reused = options.ReusePrefix ? prefixes.Restore(prompt, weights.Version, ws) : 0;
            Decoder.Forward(weights, ws, prompt.AsSpan(reused), 1, p - reused, reused, [0], allLogits: false);
            prefixes.Remember(prompt, weights.Version, ws);
            CopyCacheRow(ws, config, p, n);
            if (timings is not null) t2 = Stopwatch.GetTimestamp();

            var sampler = new Sampler(vocab);
            bool needText = options.StopStrings.Count > 0 || shouldContinue is not null;
            var active = Enumerable.Range(0, n).ToList();
            var feed = new int[n];
            for (int step = 0; ; step++)
            {
                // Logits row j belongs to active[j]; after the prompt pass every sample reads row 0.
                for (int j = 0; j < active.Count; j++)
                {
                    var s = samples[active[j]];
                    int row = step == 0 ? 0 : j;
                    var logits = ws.Logits.AsSpan(row * vocab, vocab);
                    int token = (step == 0 ? options.ChooseFirstToken?.Invoke(logits) : null)
                        ?? sampler.Next(logits, options.Temperature, options.TopP, ref s.Rng);
                    if ((uint)token >= (uint)vocab)
                        throw new InvalidOperationException($"The first-token choice returned {token}, outside the vocabulary [0, {vocab}).");
                    s.Ids.Add(token);
                    s.Finish = SampleStop.Check(_tokenizer, s.Ids, ref s.Text, active[j], token, options, maxNew, needText, shouldContinue);
                }
                if (step == 0 && timings is not null) t3 = Stopwatch.GetTimestamp();
                active.RemoveAll(i => samples[i].Finish is not null);
                if (active.Count == 0) break;
                ct.ThrowIfCancellationRequested();

                // ---- one decode step: the newest token of every running sample, as one batch
                for (int j = 0; j < active.Count; j++) feed[j] = samples[active[j]].Ids[^1];
                Decoder.Forward(weights, ws, feed.AsSpan(0, active.Count), active.Count, 1, p + step, CollectionsMarshal.AsSpan(active), allLogits: false);
                steps++;
            }
        }
        finally
        {
            pool.Return(ws);
        }
        if (timings is not null)
        {
            long end = Stopwatch.GetTimestamp();
            timings.SetUp = Stopwatch.GetElapsedTime(t0, t1);
            timings.Prefill = Stopwatch.GetElapsedTime(t1, t2);
            timings.FirstToken = Stopwatch.GetElapsedTime(t2, t3);
            timings.Decode = Stopwatch.GetElapsedTime(t3, end);
            timings.DecodeSteps = steps;
            timings.ReusedPromptTokens = reused;
        }
        return samples.Select(s => Result(s, s.Finish!, p)).ToArray();
    }

    /// <summary>Encodes a chat prompt with <see cref="ChatFormat"/> and generates its completions.</summary>
    public IReadOnlyList<GenerationResult> Generate(string? system, string user, GenerationOptions options, Func<int, string, bool>? shouldContinue = null,
        CancellationToken ct = default) =>
        Generate(ChatFormat.EncodePrompt(_tokenizer, system, user), options, shouldContinue, ct);

    private static void CopyCacheRow(Workspace ws, TransformerConfig c, int positions, int rows)
    {
        int d = c.HeadDim, hkv = c.NumKeyValueHeads;
        for (int l = 0; l < c.NumHiddenLayers; l++)
            for (int r = 1; r < rows; r++)
                for (int g = 0; g < hkv; g++)
                {
                    long from = (long)g * ws.MaxT * d, to = ((long)r * hkv + g) * ws.MaxT * d;
                    Array.Copy(ws.K[l], from, ws.K[l], to, (long)positions * d);
                    Array.Copy(ws.V[l], from, ws.V[l], to, (long)positions * d);
                }
    }

    private static GenerationResult Result(SampleState s, string finish, int promptTokens) => new(s.Text, s.Ids.ToArray(), finish, promptTokens);

    private sealed class SampleState(SampleRng rng)
    {
        public SampleRng Rng = rng;
        public readonly List<int> Ids = [];
        public string Text = "";
        public string? Finish;
    }
}
