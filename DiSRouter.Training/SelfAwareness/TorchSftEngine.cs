using DiSRouter.Models;
using DiSRouter.Models.Torch;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// SFT steps on the TorchSharp engine (<c>sft --engine torch --device cuda|cpu|auto</c>): the model copied to the
/// device once, the same batches and schedule as our <see cref="Trainer"/>, the weights copied back for saving.
/// </summary>
internal sealed class TorchSftEngine : IDisposable
{
    private readonly TorchTransformer _model;
    private readonly TorchTrainer _trainer;

    public TorchSftEngine(TransformerModel model, TrainerOptions options, string device)
    {
        _model = TorchTransformer.FromModel(model, TorchRuntime.Device(device));
        _trainer = new TorchTrainer(_model, options);
    }

    public TrainStepResult Step(IReadOnlyList<TrainingExample> batch) => _trainer.Step(batch);

    /// <summary>Writes the trained weights into <paramref name="model"/> (same layout), to be saved as a checkpoint.</summary>
    public void CopyWeightsTo(TransformerModel model)
    {
        var trained = _model.ToModel();
        foreach (var p in model.Parameters) trained.Find(p.Name)!.Data.AsSpan().CopyTo(p.Data);
        model.MarkWeightsChanged();
    }

    public void Dispose()
    {
        _trainer.Dispose();
        _model.Dispose();
    }
}
