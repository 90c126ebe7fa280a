using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// RouteLLM's text classifier as a small transformer trained with our engine (DiSRouter.Models): a byte-level model reads
/// the query in the chat layout and, at the assistant marker that closes it, predicts which agents answer it right, as
/// one class among the 2^N correctness patterns; agent k's probability is the mass of the patterns in which k is right.
/// WHY one joint class: each query is one training sequence (not N), the closing position attends to the whole query, so
/// with the engine's causal attention it plays the encoder's pooled output, and the marginals of a softmax over patterns
/// are proper probabilities. Trained on the labelled validation queries like the other routers; its epoch count is chosen
/// by log loss on a held-out fifth of them, then the model is refitted on all of them for that many epochs.
/// </summary>
internal sealed class TransformerRouter : ICorrectnessModel
{
    /// <summary>Pattern c is token <see cref="ClassBase"/> + c: bytes the ASCII queries never hold.</summary>
    private const int ClassBase = 128;

    /// <summary>2^7 patterns fill the bytes 128–255.</summary>
    public const int MaxAgents = 7;

    public static readonly TransformerConfig Config = new()
    {
        VocabSize = 264,           // the pool's byte tokenizer: 256 bytes and the chat markers
        HiddenSize = 32,           // nano-1's width: the router should cost less than the agents it routes to
        IntermediateSize = 96,
        NumHiddenLayers = 2,       // two layers: attention that can combine a word with its context (one cannot compose)
        NumAttentionHeads = 2,
        NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 320, // the pool's context: a query the agents can read fits
        TieWordEmbeddings = true,
    };

    public static readonly TrainerOptions Training = new()
    {
        LearningRate = 3e-3,       // the pool's pretraining rates for models of this size (1e-3–5e-3)
        MinLearningRate = 3e-3,    // constant after warmup: the held-out curve then means the same at every epoch
        WarmupSteps = 10,
        WeightDecay = 0.01,
        MicroBatchSize = 32,
    };

    public const int BatchSize = 32;
    public const int MaxEpochs = 8;

    private static readonly ITokenizer Tokenizer = ByteTokenizer.Default;
    private readonly TransformerModel _model;
    private readonly int _agents;

    private TransformerRouter(TransformerModel model, int agents, int epochs, double heldOutLoss)
    {
        _model = model;
        _agents = agents;
        Epochs = epochs;
        HeldOutLogLoss = heldOutLoss;
    }

    /// <summary>Epochs chosen on the held-out fifth.</summary>
    public int Epochs { get; }

    public double HeldOutLogLoss { get; }

    /// <param name="correct">[agent][query]: whether the agent's answer to the query is right.</param>
    /// <param name="epochs">Train this many epochs on all queries instead of choosing them on a held-out fifth (another seed of a router whose epochs were chosen).</param>
    public static TransformerRouter Fit(IReadOnlyList<RoutedQuery> queries, IReadOnlyList<IReadOnlyList<bool>> correct, int seed = 0, int maxEpochs = MaxEpochs,
        int? epochs = null, CancellationToken ct = default)
    {
        int agents = correct.Count;
        if (agents is < 1 or > MaxAgents) throw new ArgumentException($"The transformer router predicts 2^N patterns for at most {MaxAgents} agents, got {agents}.", nameof(correct));
        var examples = queries.Select((q, i) => Example(q.Text, Pattern(correct, i))).ToArray();

        // ---- epochs by held-out log loss (a seeded fifth of the queries), then the refit on all
        var order = Enumerable.Range(0, queries.Count).ToArray();
        new StableRandom((ulong)seed + 211).Shuffle(order);
        var held = order.Take(queries.Count / 5).ToArray();
        var train = order.Skip(held.Length).ToArray();
        int bestEpochs = epochs ?? maxEpochs;
        double bestLoss = double.NaN;
        if (epochs is null && held.Length > 0)
        {
            var probe = TransformerModel.Create(Config, seed);
            var trainer = new Trainer(probe, Training);
            for (int epoch = 1; epoch <= maxEpochs; epoch++)
            {
                Epoch(trainer, train.Select(i => examples[i]).ToArray(), seed, epoch, ct);
                var router = new TransformerRouter(probe, agents, epoch, 0);
                double loss = LogLoss(held.Select(i => router.Predict(queries[i])).ToArray(), held.Select(i => correct.Select(c => c[i]).ToArray()).ToArray());
                if (!(loss >= bestLoss - 1e-9)) { bestLoss = loss; bestEpochs = epoch; }
            }
        }
        var model = TransformerModel.Create(Config, seed);
        var final = new Trainer(model, Training);
        for (int epoch = 1; epoch <= bestEpochs; epoch++) Epoch(final, examples, seed, epoch, ct);
        return new TransformerRouter(model, agents, bestEpochs, bestLoss);
    }

    public double[] Predict(RoutedQuery query)
    {
        var tokens = Prompt(query.Text);
        var logits = ForwardPass.Logits(_model, tokens, 1, tokens.Length).AsSpan((tokens.Length - 1) * Config.VocabSize, Config.VocabSize); // (V)
        int patterns = 1 << _agents;
        // softmax over the patterns' tokens only: the other tokens are not answers
        double max = double.NegativeInfinity;
        for (int c = 0; c < patterns; c++) max = Math.Max(max, logits[ClassBase + c]);
        var p = new double[_agents];
        double total = 0;
        for (int c = 0; c < patterns; c++)
        {
            double w = Math.Exp(logits[ClassBase + c] - max);
            total += w;
            for (int k = 0; k < _agents; k++) if ((c >> k & 1) != 0) p[k] += w;
        }
        for (int k = 0; k < _agents; k++) p[k] /= total;
        return p;
    }

    private static int Pattern(IReadOnlyList<IReadOnlyList<bool>> correct, int i)
    {
        int c = 0;
        for (int k = 0; k < correct.Count; k++) if (correct[k][i]) c |= 1 << k;
        return c;
    }

    // <|bos|><|user|>{query}<|assistant|>: the query's start is cut when it would not fit beside the class token.
    private static int[] Prompt(string text)
    {
        var tokens = ChatFormat.EncodePrompt(Tokenizer, null, text);
        int over = tokens.Length + 1 - Config.MaxPositionEmbeddings;
        return over <= 0 ? tokens : [tokens[0], tokens[1], .. tokens.AsSpan(2 + over)];
    }

    private static TrainingExample Example(string text, int pattern)
    {
        var prompt = Prompt(text);
        var mask = new float[prompt.Length + 1];
        mask[^1] = 1;                                                 // the loss reads the class token alone
        return new TrainingExample([.. prompt, ClassBase + pattern], mask);
    }

    private static void Epoch(Trainer trainer, TrainingExample[] examples, int seed, int epoch, CancellationToken ct)
    {
        var order = Enumerable.Range(0, examples.Length).ToArray();
        new StableRandom((ulong)seed * 7919 + (ulong)epoch).Shuffle(order);
        foreach (var batch in order.Chunk(BatchSize))
        {
            ct.ThrowIfCancellationRequested();
            trainer.Step(batch.Select(i => examples[i]).ToList());
        }
    }

    private static double LogLoss(double[][] predicted, bool[][] correct)
    {
        double loss = 0;
        int count = 0;
        for (int i = 0; i < predicted.Length; i++)
            for (int k = 0; k < predicted[i].Length; k++)
            {
                double q = Math.Clamp(predicted[i][k], 1e-6, 1 - 1e-6);
                loss -= correct[i][k] ? Math.Log(q) : Math.Log(1 - q);
                count++;
            }
        return loss / count;
    }
}
