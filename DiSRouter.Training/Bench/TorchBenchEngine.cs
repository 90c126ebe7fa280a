using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Torch;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.Bench;

/// <summary>The TorchSharp backend (DiSRouter.Models.Torch) on the same weights, on the CPU unless a GPU is asked for.</summary>
internal sealed class TorchBenchEngine : IBenchEngine
{
    private readonly TorchTransformer _model;
    private readonly Lazy<TorchTrainer> _trainer;
    private readonly TorchGenerator _generator;

    public TorchBenchEngine(TransformerModel model, TrainerOptions options, string device)
    {
        _model = TorchTransformer.FromModel(model, TorchRuntime.Device(device));
        _trainer = new(() => new TorchTrainer(_model, options));
        _generator = new TorchGenerator(_model, ManagedBenchEngine.Tokenizer(model.Config));
        ParameterCount = model.ParameterCount;
    }

    public string Name => "torchsharp-" + _model.Device.type.ToString().ToLowerInvariant();
    public long ParameterCount { get; }
    public void TrainStep(TrainingExample[] batch) => _trainer.Value.Step(batch);
    public GenerationResult Generate(int[] prompt, GenerationOptions options) => _generator.Generate(prompt, options)[0];

    // The logits reach the host, as ForwardPass.Logits' do (so a GPU's asynchronous work is waited for).
    public void Forward(int[] tokens, int batch, int time) => _model.Logits(tokens, batch, time);

    public void Dispose()
    {
        if (_trainer.IsValueCreated) _trainer.Value.Dispose();
        _model.Dispose();
    }
}
