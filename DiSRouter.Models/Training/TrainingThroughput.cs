using System.Diagnostics;

namespace DiSRouter.Models.Training;

/// <summary>Training speed of the engine, measured the way ../shared/bench/torch_reference.py measures PyTorch.</summary>
/// <param name="TokensPerSecond">B·T over the median step time.</param>
/// <param name="MinTokensPerSecond">B·T over the slowest timed step.</param>
/// <param name="MaxTokensPerSecond">B·T over the fastest timed step.</param>
/// <param name="AllocatedBytesPerStep">Managed bytes the calling thread allocated per timed step (steady state; should be small, no activation arrays).</param>
/// <param name="Parameters">Trainable parameters of the model.</param>
public sealed record TrainingThroughputResult(double TokensPerSecond, double MinTokensPerSecond, double MaxTokensPerSecond, long AllocatedBytesPerStep, long Parameters);

public static class TrainingThroughput
{
    /// <summary>
    /// The benchmark shapes a, b, c: vocab 64, context 64, d 64/128/256, layers 2/4/6, heads 4/4/8, SwiGLU hidden
    /// 32·ceil(8d/3/32), untied head, no biases, RMSNorm ε 1e-5, RoPE θ 1e4 — the same as the PyTorch reference.
    /// </summary>
    public static TransformerConfig BenchmarkConfig(string name)
    {
        var (d, layers, heads) = name switch
        {
            "a" => (64, 2, 4),
            "b" => (128, 4, 4),
            "c" => (256, 6, 8),
            _ => throw new ArgumentException($"Unknown benchmark config '{name}'; expected a, b or c.", nameof(name)),
        };
        return new TransformerConfig
        {
            VocabSize = 64, HiddenSize = d, IntermediateSize = TransformerConfig.SwiGluHidden(d), NumHiddenLayers = layers,
            NumAttentionHeads = heads, NumKeyValueHeads = heads, MaxPositionEmbeddings = 64, RopeTheta = 10000, RmsNormEps = 1e-5,
            TieWordEmbeddings = false, AttentionBias = false,
        };
    }

    /// <summary>
    /// AdamW steps (lr 3e-4, weight decay 0.1, PyTorch's betas, no clipping) on random (batch, seqLen + 1) token
    /// rows; <paramref name="warmupSteps"/> untimed, then the median of <paramref name="steps"/> timed steps.
    /// </summary>
    public static TrainingThroughputResult Measure(TransformerConfig config, int batchSize = 32, int seqLen = 64, int steps = 20, int warmupSteps = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var model = TransformerModel.Create(config, seed: 0);
        var trainer = new Trainer(model, new TrainerOptions
        {
            LearningRate = 3e-4, MinLearningRate = 3e-4, WeightDecay = 0.1, Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8,
            GradClip = 0, MicroBatchSize = batchSize,
        });
        var rng = new Random(0);
        var data = new TrainingExample[25][];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = new TrainingExample[batchSize];
            for (int b = 0; b < batchSize; b++)
            {
                var tokens = new int[seqLen + 1];
                for (int t = 0; t < tokens.Length; t++) tokens[t] = rng.Next(config.VocabSize);
                data[i][b] = new TrainingExample(tokens);
            }
        }

        int next = 0;
        for (int i = 0; i < warmupSteps; i++) trainer.Step(data[next++ % data.Length]);
        var times = new double[steps];
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            trainer.Step(data[next++ % data.Length]);
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Array.Sort(times);
        double median = steps % 2 == 1 ? times[steps / 2] : 0.5 * (times[steps / 2 - 1] + times[steps / 2]);
        double perStep = (double)batchSize * seqLen;
        return new TrainingThroughputResult(perStep / median, perStep / times[^1], perStep / times[0], allocated / steps, model.ParameterCount);
    }
}
