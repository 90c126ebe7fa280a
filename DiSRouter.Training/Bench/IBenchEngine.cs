using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.Bench;

/// <summary>One engine as <see cref="EngineBench"/> times it: an AdamW step, a greedy generation, a batch forward.</summary>
internal interface IBenchEngine : IDisposable
{
    string Name { get; }
    long ParameterCount { get; }
    void TrainStep(TrainingExample[] batch);
    GenerationResult Generate(int[] prompt, GenerationOptions options);
    void Forward(int[] tokens, int batch, int time);
}

/// <summary>Our managed engine (DiSRouter.Models).</summary>
internal sealed class ManagedBenchEngine : IBenchEngine
{
    private readonly TransformerModel _model;
    private readonly Lazy<Trainer> _trainer;
    private readonly Generator _generator;
    private float[] _logits = [];

    public ManagedBenchEngine(TransformerModel model, TrainerOptions options)
    {
        _model = model;
        _trainer = new(() => new Trainer(model, options));
        _generator = new Generator(model, Tokenizer(model.Config));
    }

    /// <summary>The byte tokenizer's layout widened to the model's vocabulary (config q has 151,936 ids to decode).</summary>
    internal static ByteTokenizer Tokenizer(TransformerConfig config) =>
        config.VocabSize <= ByteTokenizer.Default.VocabSize ? ByteTokenizer.Default : new ByteTokenizer(config.VocabSize, ByteTokenizer.Default.Specials);

    public string Name => "disrouter";
    public long ParameterCount => _model.ParameterCount;
    public void TrainStep(TrainingExample[] batch) => _trainer.Value.Step(batch);
    public GenerationResult Generate(int[] prompt, GenerationOptions options) => _generator.Generate(prompt, options)[0];

    public void Forward(int[] tokens, int batch, int time)
    {
        int n = batch * time * _model.Config.VocabSize;
        if (_logits.Length != n) _logits = new float[n];
        ForwardPass.Logits(_model, tokens, batch, time, _logits);
    }

    public void Dispose() { }
}
