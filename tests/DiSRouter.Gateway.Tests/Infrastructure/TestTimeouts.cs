namespace DiSRouter.Gateway.Tests.Infrastructure;

internal static class TestTimeouts
{
    /// <summary>Every await in these tests is bounded; a hang fails the test instead of the suite.</summary>
    public static readonly TimeSpan Request = TimeSpan.FromSeconds(20);
}
