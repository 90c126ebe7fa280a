using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests;

/// <summary>The checkout the tests run from: its committed models, found by walking up from the test binaries to DiSRouter.sln.</summary>
internal static class RepositoryFiles
{
    public static readonly string Models = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DiSRouter.sln"))) return Path.Combine(dir.FullName, "models");
        return Path.Combine(PoolPaths.RepositoryRoot(), "models"); // artifacts outside the checkout: the working directory's
    }
}
