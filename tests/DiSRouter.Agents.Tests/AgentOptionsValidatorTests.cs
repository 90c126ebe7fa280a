namespace DiSRouter.Agents.Tests;

public sealed class AgentOptionsValidatorTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(13)]
    public void RejectionDecidedAfterOutsideThePhraseIsRefusedWithItsRange(int decideAfter)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { Name = "agent-1", Cost = 0.1, RejectionDecidedAfter = decideAfter });

        Assert.True(result.Failed);
        Assert.Contains("Agent:RejectionDecidedAfter must lie in [0, 12]", result.FailureMessage);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(12)]
    public void RejectionDecidedAfterWithinThePhraseIsAccepted(int? decideAfter)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { Name = "agent-1", Cost = 0.1, RejectionDecidedAfter = decideAfter });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("onnx", "auto", "Agent:Engine must be 'managed' or 'torch', got 'onnx'.")]
    [InlineData("torch", "gpu", "Agent:Device must be 'auto', 'cpu' or 'cuda', got 'gpu'.")]
    public void UnknownEngineOrDeviceIsRefusedNamingTheChoices(string engine, string device, string message)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { Name = "agent-1", Cost = 0.1, Engine = engine, Device = device });

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }
}
