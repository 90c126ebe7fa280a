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
/// 32·ceil(8d/3/32), RMSNorm ε 1e-5, RoPE θ 1e4), the same batch sizes, warm-ups and medians.
/// </summary>
internal static class EngineBench
{
    private const int Vocab = 64, Context = 64;
    private const int Batch = 32, Time = 64;                 // train and forward: 32 sequences of 64 tokens
    private const int PromptTokens = 32, NewTokens = 32;     // generate: batch 1, prompt pass included in the time

    public sealed record Config(string Name, int DModel, int Layers, int Heads);

    public static readonly Config[] Configs = [new("a", 64, 2, 4), new("b", 128, 4, 4), new("c", 256, 6, 8)];

    /// <summary>One line per config, as JSON or as a readable table row.</summary>
    public sealed record Result(
        string Engine, string Config, int DModel, int Layers, int Heads, long Params,
        double? TrainTokensPerS, double GenerateTokensPerS, double ForwardTokensPerS);

    public static int Run(TextWriter output, string configs, bool json)
    {
        var chosen = Configs.Where(c => configs.Contains(c.Name, StringComparison.Ordinal)).ToArray();
        if (chosen.Length == 0)
        {
            Console.Error.WriteLine($"No config among '{configs}': choose from {string.Concat(Configs.Select(c => c.Name))}.");
            return 2;
        }
        if (!json)
        {
            output.WriteLine($"DiSRouter engine, {EngineThreads.Count} threads; vocab {Vocab}, ctx {Context}, fp32");
            output.WriteLine(SimdPath.Summary());
            output.WriteLine($"train: AdamW(lr 3e-4, wd 0.1) batch {Batch}x{Time}, median of 20 after 5 warm-up");
            output.WriteLine($"gen: greedy, batch 1, {PromptTokens}-token prompt -> {NewTokens} new tokens (prompt pass included), median of 5 after 2 warm-up");
            output.WriteLine($"fwd: batch {Batch}x{Time} inference, median of 20 after 5 warm-up");
            output.WriteLine($"{"cfg",-3} {"d",4} {"L",2} {"H",2} {"params",10} {"train tok/s",12} {"gen tok/s",10} {"fwd tok/s",10}");
        }
        foreach (var config in chosen)
        {
            var r = Measure(config);
            if (json)
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["engine"] = r.Engine, ["config"] = r.Config, ["d_model"] = r.DModel, ["layers"] = r.Layers, ["heads"] = r.Heads,
                    ["params"] = r.Params, ["train_tokens_per_s"] = r.TrainTokensPerS is { } t ? Math.Round(t, 1) : null,
                    ["generate_tokens_per_s"] = Math.Round(r.GenerateTokensPerS, 1), ["forward_tokens_per_s"] = Math.Round(r.ForwardTokensPerS, 1),
                    ["simd_path"] = SimdPath.Describe(), ["instruction_sets"] = SimdPath.InstructionSets(),
                }));
            else
                output.WriteLine($"{r.Config,-3} {r.DModel,4} {r.Layers,2} {r.Heads,2} {r.Params,10:N0} {(r.TrainTokensPerS is { } t ? t.ToString("N0") : "n/a"),12} " +
                                 $"{r.GenerateTokensPerS,10:N0} {r.ForwardTokensPerS,10:N0}");
            output.Flush();
        }
        return 0;
    }

    public static TransformerConfig ModelConfig(Config c) => new()
    {
        VocabSize = Vocab, HiddenSize = c.DModel, IntermediateSize = TransformerConfig.SwiGluHidden(c.DModel),
        NumHiddenLayers = c.Layers, NumAttentionHeads = c.Heads, NumKeyValueHeads = c.Heads, MaxPositionEmbeddings = Context,
        RopeTheta = 10000, RmsNormEps = 1e-5, TieWordEmbeddings = false, AttentionBias = false,
    };

    public static Result Measure(Config c)
    {
        var model = TransformerModel.Create(ModelConfig(c), seed: 0);
        var rng = new Random(0);
        int[] RandomTokens(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(Vocab)).ToArray();

        // ---- train: AdamW steps on 32 × 65-token sequences (64 inputs predicting the next 64), as torch's step()
        var trainer = new Trainer(model, new TrainerOptions
        {
            LearningRate = 3e-4, MinLearningRate = 3e-4, WarmupSteps = 0, TotalSteps = 0, WeightDecay = 0.1,
            Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8, GradClip = 0, MicroBatchSize = Batch,
        });
        var data = Enumerable.Range(0, 25).Select(_ => Enumerable.Range(0, Batch).Select(_ => new TrainingExample(RandomTokens(Time + 1))).ToArray()).ToArray();
        int next = 0;
        double train = MedianSeconds(() => trainer.Step(data[next++ % data.Length]), warmup: 5, runs: 20);

        // ---- generate: greedy, batch 1, 32-token prompt → 32 new tokens, the prompt pass inside the timing
        var generator = new Generator(model, ByteTokenizer.Default);
        var prompt = RandomTokens(PromptTokens);
        var options = new GenerationOptions { MaxNewTokens = NewTokens, StopAtEos = false };
        double generate = MedianSeconds(() =>
        {
            var r = generator.Generate(prompt, options)[0];
            if (r.TokenIds.Length != NewTokens) throw new InvalidOperationException($"Generated {r.TokenIds.Length} tokens, expected {NewTokens}.");
        }, warmup: 2, runs: 5);

        // ---- forward: logits of 32 × 64 tokens, no cache kept
        var tokens = RandomTokens(Batch * Time);
        var logits = new float[Batch * Time * Vocab];
        double forward = MedianSeconds(() => ForwardPass.Logits(model, tokens, Batch, Time, logits), warmup: 5, runs: 20);

        return new Result("disrouter", c.Name, c.DModel, c.Layers, c.Heads, model.ParameterCount,
            Batch * Time / train, NewTokens / generate, Batch * Time / forward);
    }

    private static double MedianSeconds(Action run, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++) run();
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
