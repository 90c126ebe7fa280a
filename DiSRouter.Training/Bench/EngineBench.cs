using System.Diagnostics;
using System.Text.Json;
using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Kernels;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.Bench;

/// <summary>
/// The engine benchmark, measured exactly as ../shared/bench/torch_reference.py measures PyTorch so that the two
/// print comparable figures: the same three decoders (vocab 64, context 64, untied head, no biases, SwiGLU hidden
/// 32·ceil(8d/3/32), RMSNorm ε 1e-5, RoPE θ 1e4), the same batch sizes, warm-ups and medians. Engines: ours and the
/// TorchSharp backend on the same weights (<c>--engines disrouter,torchsharp</c>). Config q has Qwen2.5-0.5B's shape
/// (forward and generation only, with fewer runs: one forward of it is about a GFLOP per token).
/// </summary>
internal static class EngineBench
{
    private const int Vocab = 64, Context = 64;
    private const int Batch = 32, Time = 64;                 // train and forward: 32 sequences of 64 tokens
    private const int PromptTokens = 32, NewTokens = 32;     // generate: batch 1, prompt pass included in the time

    public sealed record Config(string Name, int DModel, int Layers, int Heads);

    public static readonly Config[] Configs = [new("a", 64, 2, 4), new("b", 128, 4, 4), new("c", 256, 6, 8), new("q", 896, 24, 14)];

    /// <summary>Engines <c>--engines</c> can name.</summary>
    public static readonly string[] EngineNames = ["disrouter", "torchsharp"];

    /// <summary>One line per config, as JSON or as a readable table row.</summary>
    public sealed record Result(
        string Engine, string Config, int DModel, int Layers, int Heads, long Params,
        double? TrainTokensPerS, double GenerateTokensPerS, double ForwardTokensPerS);

    public static int Run(TextWriter output, string configs, bool json, string engines = "disrouter", string device = "cpu")
    {
        var chosen = Configs.Where(c => configs.Contains(c.Name, StringComparison.Ordinal)).ToArray();
        if (chosen.Length == 0)
        {
            Console.Error.WriteLine($"No config among '{configs}': choose from {string.Concat(Configs.Select(c => c.Name))}.");
            return 2;
        }
        var engineList = engines.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (engineList.Length == 0 || engineList.Any(e => !EngineNames.Contains(e)))
        {
            Console.Error.WriteLine($"--engines '{engines}': name one or more of {string.Join(", ", EngineNames)}, comma-separated.");
            return 2;
        }
        if (!json)
        {
            output.WriteLine($"engines {string.Join(", ", engineList)}; DiSRouter engine {EngineThreads.Count} threads; vocab {Vocab}, ctx {Context}, fp32 (q: Qwen2.5-0.5B shape, fwd 1x{Time}, 3 runs)");
            output.WriteLine(SimdPath.Summary());
            output.WriteLine($"train: AdamW(lr 3e-4, wd 0.1) batch {Batch}x{Time}, median of 20 after 5 warm-up");
            output.WriteLine($"gen: greedy, batch 1, {PromptTokens}-token prompt -> {NewTokens} new tokens (prompt pass included), median of 5 after 2 warm-up");
            output.WriteLine($"fwd: batch {Batch}x{Time} inference, median of 20 after 5 warm-up");
            output.WriteLine($"{"cfg",-3} {"engine",-16} {"d",4} {"L",2} {"H",2} {"params",12} {"train tok/s",12} {"gen tok/s",10} {"fwd tok/s",10}");
        }
        foreach (var config in chosen)
        foreach (var engine in engineList)
        {
            var r = Measure(config, engine, device);
            if (json)
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["engine"] = r.Engine, ["config"] = r.Config, ["d_model"] = r.DModel, ["layers"] = r.Layers, ["heads"] = r.Heads,
                    ["params"] = r.Params, ["train_tokens_per_s"] = r.TrainTokensPerS is { } t ? Math.Round(t, 1) : null,
                    ["generate_tokens_per_s"] = Math.Round(r.GenerateTokensPerS, 1), ["forward_tokens_per_s"] = Math.Round(r.ForwardTokensPerS, 1),
                    ["simd_path"] = SimdPath.Describe(), ["instruction_sets"] = SimdPath.InstructionSets(),
                }));
            else
                output.WriteLine($"{r.Config,-3} {r.Engine,-16} {r.DModel,4} {r.Layers,2} {r.Heads,2} {r.Params,12:N0} {(r.TrainTokensPerS is { } t ? t.ToString("N0") : "n/a"),12} " +
                                 $"{r.GenerateTokensPerS,10:N0} {r.ForwardTokensPerS,10:N0}");
            output.Flush();
        }
        return 0;
    }

    public static TransformerConfig ModelConfig(Config c) => c.Name == "q" ? Qwen25HalfB : new()
    {
        VocabSize = Vocab, HiddenSize = c.DModel, IntermediateSize = TransformerConfig.SwiGluHidden(c.DModel),
        NumHiddenLayers = c.Layers, NumAttentionHeads = c.Heads, NumKeyValueHeads = c.Heads, MaxPositionEmbeddings = Context,
        RopeTheta = 10000, RmsNormEps = 1e-5, TieWordEmbeddings = false, AttentionBias = false,
    };

    /// <summary>Qwen2.5-0.5B's shape (vocab 151,936, d 896, 24 layers, 14 query / 2 kv heads, MLP 4,864, tied head, q/k/v biases).</summary>
    public static readonly TransformerConfig Qwen25HalfB = new()
    {
        VocabSize = 151936, HiddenSize = 896, IntermediateSize = 4864, NumHiddenLayers = 24, NumAttentionHeads = 14, NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 128, RopeTheta = 1e6, RmsNormEps = 1e-6, TieWordEmbeddings = true, AttentionBias = true,
    };

    /// <summary>Config q, randomly initialised (seed 0), saved as a float32 checkpoint with the byte tokenizer.</summary>
    public static int WriteCheckpoint(TextWriter output, string directory, int maxPositions)
    {
        if (maxPositions < 1) { Console.Error.WriteLine($"--max-positions {maxPositions}: must be positive."); return 2; }
        var model = TransformerModel.Create(Qwen25HalfB with { MaxPositionEmbeddings = maxPositions }, seed: 0);
        Models.Checkpoints.Checkpoint.Save(directory, model, ByteTokenizer.Default);
        output.WriteLine($"{directory}: config q, {model.ParameterCount:N0} parameters ({model.ParameterCount * 4 / 1e9:0.00} GB in float32)");
        return 0;
    }

    public static Result Measure(Config c, string engineName = "disrouter", string device = "cpu")
    {
        bool large = c.Name == "q";
        var config = ModelConfig(c);
        var model = TransformerModel.Create(config, seed: 0);
        var rng = new Random(0);
        int[] RandomTokens(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(large ? config.VocabSize : Vocab)).ToArray();
        var trainOptions = new TrainerOptions
        {
            LearningRate = 3e-4, MinLearningRate = 3e-4, WarmupSteps = 0, TotalSteps = 0, WeightDecay = 0.1,
            Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8, GradClip = 0, MicroBatchSize = Batch,
        };
        using IBenchEngine engine = engineName == "torchsharp" ? new TorchBenchEngine(model, trainOptions, device) : new ManagedBenchEngine(model, trainOptions);

        // ---- train: AdamW steps on 32 × 65-token sequences (64 inputs predicting the next 64), as torch's step()
        double? train = null;
        if (!large)
        {
            var data = Enumerable.Range(0, 25).Select(_ => Enumerable.Range(0, Batch).Select(_ => new TrainingExample(RandomTokens(Time + 1))).ToArray()).ToArray();
            int next = 0;
            train = MedianSeconds(() => engine.TrainStep(data[next++ % data.Length]), warmup: 5, runs: 20);
        }

        // ---- generate: greedy, batch 1, 32-token prompt → 32 new tokens, the prompt pass inside the timing
        var prompt = RandomTokens(PromptTokens);
        // No prefix reuse: the same prompt is generated from again and again, and PyTorch's reference prefills it in full every time.
        var options = new GenerationOptions { MaxNewTokens = NewTokens, StopAtEos = false, ReusePrefix = false };
        double generate = MedianSeconds(() =>
        {
            var r = engine.Generate(prompt, options);
            if (r.TokenIds.Length != NewTokens) throw new InvalidOperationException($"Generated {r.TokenIds.Length} tokens, expected {NewTokens}.");
        }, warmup: large ? 1 : 2, runs: large ? 3 : 5);

        // ---- forward: logits of 32 × 64 tokens (q: 1 × 64), no cache kept
        int batch = large ? 1 : Batch;
        var tokens = RandomTokens(batch * Time);
        double forward = MedianSeconds(() => engine.Forward(tokens, batch, Time), warmup: large ? 1 : 5, runs: large ? 3 : 20);

        return new Result(engine.Name, c.Name, c.DModel, c.Layers, c.Heads, engine.ParameterCount,
            Batch * Time / train, NewTokens / generate, batch * Time / forward);
    }

    private const double JitQuietSeconds = 0.5, WarmUpLimitSeconds = 10;

    /// <summary>
    /// Warm-up: at least <paramref name="warmup"/> runs, then more until the JIT has compiled nothing new for
    /// <see cref="JitQuietSeconds"/> (at most <see cref="WarmUpLimitSeconds"/>). WHY: .NET first runs a method as quickly
    /// jitted tier-0 code and recompiles it optimised once it has been called often enough, after a delay that every new
    /// tier-0 call restarts; a generation of 32 tokens of config a lasts under a millisecond, so two warm-up calls timed
    /// tier-0 code (3,300–16,000 tokens/s against 56,000–60,000 after this warm-up, the same build, 2026-12-07 on the 2-core
    /// AVX2 machine at load average 25). PyTorch's warm-up count suffices for an interpreter; this waits for our steady
    /// state, and both sides are then timed as they run for the rest of a process's life.
    /// </summary>
    private static double MedianSeconds(Action run, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++) run();
        long start = Stopwatch.GetTimestamp(), quietSince = start;
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetElapsedTime(quietSince).TotalSeconds < JitQuietSeconds && Stopwatch.GetElapsedTime(start).TotalSeconds < WarmUpLimitSeconds)
        {
            run();
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled) { compiled = now; quietSince = Stopwatch.GetTimestamp(); }
        }
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2; // statistics.median
    }
}
