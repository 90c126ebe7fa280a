using System.Runtime.CompilerServices;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>The checkout the tests were built from (builds may put their output anywhere, see DISROUTER_ARTIFACTS).</summary>
internal static class Repository
{
    public static string Root { get; } = Path.GetFullPath(Path.Combine(ThisDirectory(), "..", "..", ".."));

    public static string AppHostSettings => Path.Combine(Root, "DiSRouter.AppHost", "appsettings.json");

    private static string ThisDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
