using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class SelfAwarenessRewardTests
{
    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void CorrectAnswerEarnsOneAndWrongAnswerZeroInEveryScenario(double alpha)
    {
        var sut = new SelfAwarenessReward();
        Assert.Equal(1.0, sut.For(ResponseOutcome.Correct, alpha));
        Assert.Equal(0.0, sut.For(ResponseOutcome.Wrong, alpha));
    }

    [Theory]
    // (1 − α)^0.5: √0.8 = 0.894427…, √0.5 = 0.707106…, √0.2 = 0.447213…
    [InlineData(0.2, 0.8944271909999159)]
    [InlineData(0.5, 0.7071067811865476)]
    [InlineData(0.8, 0.4472135954999579)]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 0.0)]
    public void RejectionEarnsOneMinusAlphaToTheDefaultGammaOfOneHalf(double alpha, double expected)
    {
        var sut = new SelfAwarenessReward();
        Assert.Equal(expected, sut.For(ResponseOutcome.Rejected, alpha), 12);
    }

    [Fact]
    public void GammaIsConfigurable()
    {
        var sut = new SelfAwarenessReward(gamma: 1.0);
        Assert.Equal(0.5, sut.For(ResponseOutcome.Rejected, 0.5), 12);      // (1 − 0.5)^1
        Assert.Equal(0.2, sut.For(ResponseOutcome.Rejected, 0.8), 12);      // (1 − 0.8)^1
        Assert.Equal(1.0, new SelfAwarenessReward(0).For(ResponseOutcome.Rejected, 0.8), 12); // x^0 = 1
    }

    [Fact]
    public void RejectionRewardFallsAsCostMattersMore()
    {
        var sut = new SelfAwarenessReward();
        Assert.True(sut.RejectionReward(0.2) > sut.RejectionReward(0.5));
        Assert.True(sut.RejectionReward(0.5) > sut.RejectionReward(0.8));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void AlphaOutsideTheUnitIntervalIsRefused(double alpha)
    {
        var sut = new SelfAwarenessReward();
        Assert.Throws<ArgumentOutOfRangeException>(() => sut.For(ResponseOutcome.Rejected, alpha));
    }

    [Fact]
    public void GammaOutsideTheUnitIntervalIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SelfAwarenessReward(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SelfAwarenessReward(-0.1));
    }
}
