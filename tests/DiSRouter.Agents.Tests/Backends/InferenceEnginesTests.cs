using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Models.Inference;

namespace DiSRouter.Agents.Tests.Backends;

/// <summary>
/// Agent:Engine on the default agent build, which carries no libtorch: managed serves; torch refuses to start with a
/// message saying how to build it in (the torch engine serving is tested where libtorch is: DiSRouter.Models.Torch.Tests/Agents).
/// </summary>
public sealed class InferenceEnginesTests : IDisposable
{
    private readonly TinyCheckpoint _checkpoint = new();

    public void Dispose() => _checkpoint.Dispose();

    [Fact]
    public void ManagedIsTheDefaultEngine()
    {
        var engine = InferenceEngines.Create(new AgentOptions { Name = "agent-1" });

        Assert.IsType<ManagedInferenceEngine>(engine);
        Assert.Equal("managed", engine.Name);
    }

    [Fact]
    public void TorchEngineOutsideTheBuildIsRefusedWithHowToBuildIt()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => InferenceEngines.Create(new AgentOptions { Name = "agent-1", Engine = "torch" }));

        Assert.Contains("Agent 'agent-1': Agent:Engine is 'torch', but DiSRouter.Models.Torch.dll is not part of this agent's build", ex.Message);
        Assert.Contains("-p:AgentTorch=true", ex.Message);
    }

    [Fact]
    public void AgentConfiguredForTheTorchEngineOutsideTheBuildFailsToStart()
    {
        _checkpoint.Save(seed: 1);
        var settings = AgentHost.Settings("agent-torch", 0.2, extra:
        [
            new("Agent:Checkpoint", _checkpoint.Directory),
            new("Agent:Engine", "torch"),
        ]);

        var ex = Assert.ThrowsAny<Exception>(() => AgentHost.Start(settings));

        Assert.Contains("DiSRouter.Models.Torch.dll is not part of this agent's build", ex.ToString());
    }
}
