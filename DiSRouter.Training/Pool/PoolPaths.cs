namespace DiSRouter.Training.Pool;

/// <summary>
/// Default locations, relative to the repository root (found by walking up to DiSRouter.sln) so the
/// commands behave the same from any working directory inside the checkout.
/// </summary>
internal static class PoolPaths
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DiSRouter.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    /// <summary>models/nano-pool: the committed checkpoints and manifest.</summary>
    public static string PoolDirectory(string pool) => Path.Combine(RepositoryRoot(), "models", pool + "-pool");

    /// <summary>runs/pool/nano: resumable training state (git-ignored).</summary>
    public static string WorkDirectory(string pool) => Path.Combine(RepositoryRoot(), "runs", "pool", pool);
}
