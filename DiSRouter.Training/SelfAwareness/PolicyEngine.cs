using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Torch;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// The model a training stage samples, scores and updates, on our engine or on TorchSharp's (<c>--engine torch
/// --device cuda|cpu|auto</c>). Both run the same maths: SFT's masked cross-entropy, RL's log-probability path, AdamW on
/// the same warmup + cosine schedule, rollouts from the same seeded sampler; and both write resume points in one format
/// (the weights as an F32 checkpoint beside the optimizer state file), so a run stopped on one engine resumes on either.
/// The torch engine never holds the model in managed memory: it reads the checkpoint straight onto its device (as a
/// serving agent does), keeps the AdamW moments there, and saves by streaming device → file.
/// Not thread-safe: one stage drives it.
/// </summary>
internal abstract class PolicyEngine : IDisposable
{
    /// <summary>
    /// The engine over the checkpoint in <paramref name="directory"/>: ours when <paramref name="torchDevice"/> is null,
    /// else TorchSharp's on that device. <paramref name="options"/> null: a frozen model (a reference policy) that is
    /// only scored and sampled.
    /// </summary>
    /// <paramref name="context"/>, when larger than the checkpoint's, widens the model's context to that many positions:
    /// the same weights (rotary embeddings hold no parameters) with a longer rotary table (sft --context).
    public static PolicyEngine Open(string directory, TrainerOptions? options, string? torchDevice, int? context = null) =>
        torchDevice is null ? new Managed(Widened(Checkpoint.Load(directory), context), options) : new Torch(directory, options, torchDevice, context);

    private static LoadedCheckpoint Widened(LoadedCheckpoint loaded, int? context)
    {
        if (context is not { } positions || positions <= loaded.Model.Config.MaxPositionEmbeddings) return loaded;
        var wide = TransformerModel.CreateEmpty(loaded.Model.Config with { MaxPositionEmbeddings = positions });
        wide.LoadState(loaded.Model.State());
        return loaded with { Model = wide };
    }

    /// <summary>The config and tokenizer of a checkpoint folder, without its weights (what a stage needs to plan its steps).</summary>
    public static (TransformerConfig Config, ITokenizer Tokenizer) Describe(string directory)
    {
        var config = ConfigFile.Read(Path.Combine(directory, ConfigFile.FileName));
        return (config, Checkpoint.LoadTokenizer(directory, config));
    }

    public abstract TransformerConfig Config { get; }
    public abstract ITokenizer Tokenizer { get; }

    /// <summary>"disrouter" or "torch:&lt;device&gt;", for reports.</summary>
    public abstract string Name { get; }

    /// <summary>One supervised optimizer step (SFT): masked mean cross-entropy, then the update.</summary>
    public abstract TrainStepResult Step(IReadOnlyList<TrainingExample> batch);

    /// <summary>Grad-enabled log p(token t | tokens &lt; t) of every sequence; the pass is kept for <see cref="Backward"/>.</summary>
    public abstract IReadOnlyList<float[]> ForwardLogProbs(IReadOnlyList<int[]> sequences);

    /// <summary>Accumulates ∂loss/∂θ given ∂loss/∂(the last <see cref="ForwardLogProbs"/>), which it consumes.</summary>
    public abstract void Backward(IReadOnlyList<float[]> dLossDLogProbs);

    /// <summary>Clipping, the scheduled rate and AdamW on the accumulated gradients.</summary>
    public abstract OptimizerStepResult OptimizerStep();

    /// <summary>Log-probabilities without gradients under the current weights.</summary>
    public abstract float[][] LogProbs(IReadOnlyList<int[]> sequences);

    /// <summary>A generator over the current weights (make a new one after an update).</summary>
    public abstract ITextGenerator Generator();

    /// <summary>Writes the optimizer state (step and moments) to <paramref name="path"/>.</summary>
    public abstract void SaveState(string path);

    public abstract void LoadState(string path);

    /// <summary>Writes the current weights as a checkpoint folder into <paramref name="directory"/> (inside an atomic publish).</summary>
    public abstract void Save(string directory, CheckpointDType dtype, IReadOnlyDictionary<string, string>? metadata = null);

    public virtual void Dispose() { }

    /// <summary>What both engines share: the pending grad-enabled pass between ForwardLogProbs and Backward.</summary>
    private abstract class WithPass<TPass> : PolicyEngine where TPass : class, IDisposable
    {
        private TPass? _pass;

        protected abstract TPass Forward(IReadOnlyList<int[]> sequences);
        protected abstract IReadOnlyList<float[]> Values(TPass pass);
        protected abstract void Backward(TPass pass, IReadOnlyList<float[]> dLossDLogProbs);

        public sealed override IReadOnlyList<float[]> ForwardLogProbs(IReadOnlyList<int[]> sequences)
        {
            _pass?.Dispose();
            _pass = Forward(sequences);
            return Values(_pass);
        }

        public sealed override void Backward(IReadOnlyList<float[]> dLossDLogProbs)
        {
            var pass = _pass ?? throw new InvalidOperationException("Backward needs a ForwardLogProbs first.");
            _pass = null;
            using (pass) Backward(pass, dLossDLogProbs);
        }

        protected static T Trained<T>(T? trainer) where T : class =>
            trainer ?? throw new InvalidOperationException("This engine holds a frozen model (made without trainer options).");

        public override void Dispose() => _pass?.Dispose();
    }

    private sealed class Managed(LoadedCheckpoint checkpoint, TrainerOptions? options) : WithPass<LogProbPass>
    {
        private readonly TransformerModel _model = checkpoint.Model;
        private readonly Trainer? _trainer = options is null ? null : new Trainer(checkpoint.Model, options);

        public override string Name => "disrouter";
        public override TransformerConfig Config => _model.Config;
        public override ITokenizer Tokenizer => checkpoint.Tokenizer;
        private Trainer Trainer => Trained(_trainer);
        public override TrainStepResult Step(IReadOnlyList<TrainingExample> batch) => Trainer.Step(batch);
        protected override LogProbPass Forward(IReadOnlyList<int[]> sequences) => Trainer.ForwardLogProbs(sequences);
        protected override IReadOnlyList<float[]> Values(LogProbPass pass) => pass.LogProbs;
        protected override void Backward(LogProbPass pass, IReadOnlyList<float[]> dLossDLogProbs) => Trainer.Backward(pass, dLossDLogProbs);
        public override OptimizerStepResult OptimizerStep() => Trainer.OptimizerStep();
        public override float[][] LogProbs(IReadOnlyList<int[]> sequences) => Models.Training.LogProbs.Compute(_model, sequences);
        public override ITextGenerator Generator() => new Generator(_model, Tokenizer);
        public override void SaveState(string path) => Trainer.SaveState(path);
        public override void LoadState(string path) => Trainer.LoadState(path);
        public override void Save(string directory, CheckpointDType dtype, IReadOnlyDictionary<string, string>? metadata = null) =>
            Checkpoint.Save(directory, _model, Tokenizer, dtype, metadata);
    }

    private sealed class Torch : WithPass<TorchLogProbPass>
    {
        private readonly TorchTransformer _model;
        private readonly TorchTrainer? _trainer;

        public Torch(string directory, TrainerOptions? options, string device, int? context)
        {
            (_, Tokenizer) = Describe(directory);
            // float32 weights (the master copy AdamW updates); the forward still runs in bf16 on a GPU.
            _model = TorchTransformer.Load(directory, TorchRuntime.Device(device), weightType: TorchSharp.torch.ScalarType.Float32, maxPositions: context);
            _trainer = options is null ? null : new TorchTrainer(_model, options);
            Name = $"torch:{_model.Device.type.ToString().ToLowerInvariant()}";
        }

        public override string Name { get; }
        public override TransformerConfig Config => _model.Config;
        public override ITokenizer Tokenizer { get; }
        private TorchTrainer Trainer => Trained(_trainer);
        public override TrainStepResult Step(IReadOnlyList<TrainingExample> batch) => Trainer.Step(batch);
        protected override TorchLogProbPass Forward(IReadOnlyList<int[]> sequences) => Trainer.ForwardLogProbs(sequences);
        protected override IReadOnlyList<float[]> Values(TorchLogProbPass pass) => pass.LogProbs;
        protected override void Backward(TorchLogProbPass pass, IReadOnlyList<float[]> dLossDLogProbs) => Trainer.Backward(pass, dLossDLogProbs);
        public override OptimizerStepResult OptimizerStep() => Trainer.OptimizerStep();
        public override float[][] LogProbs(IReadOnlyList<int[]> sequences) => TorchTrainer.LogProbs(_model, sequences);
        public override ITextGenerator Generator() => new TorchGenerator(_model, Tokenizer);
        public override void SaveState(string path) => Trainer.SaveState(path);
        public override void LoadState(string path) => Trainer.LoadState(path);
        public override void Save(string directory, CheckpointDType dtype, IReadOnlyDictionary<string, string>? metadata = null) =>
            _model.Save(directory, Tokenizer, dtype, metadata);

        public override void Dispose()
        {
            base.Dispose();
            _trainer?.Dispose();
            _model.Dispose();
        }
    }
}
