namespace DiSRouter.AppHost.Bench;

internal static class NetworkBench
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}
