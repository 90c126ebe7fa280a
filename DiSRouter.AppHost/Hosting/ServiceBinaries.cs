using System.Reflection;

namespace DiSRouter.AppHost.Hosting;

/// <summary>
/// Where the service projects' builds are. The AppHost project references them (ReferenceOutputAssembly=false) so
/// that building the AppHost builds them, and its build writes each one's output path into this assembly's metadata:
/// the paths are right for any configuration and for DISROUTER_ARTIFACTS without guessing folder layouts.
/// </summary>
internal static class ServiceBinaries
{
    public const string Gateway = "DiSRouter.Gateway";
    public const string Agents = "DiSRouter.Agents";

    /// <summary>The AppHost's own build (where its dependencies are), for tools and tests that launch it.</summary>
    public const string AppHost = "DiSRouter.AppHost";

    private static readonly Dictionary<string, string> Metadata = typeof(ServiceBinaries).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Where(a => a.Value is not null)
        .ToDictionary(a => a.Key, a => a.Value!);

    /// <summary>The repository the AppHost was built from; relative checkpoint paths are taken from here.</summary>
    public static string RepositoryRoot =>
        Metadata.TryGetValue("DiSRouter.RepositoryRoot", out var root) && Directory.Exists(root) ? root : Directory.GetCurrentDirectory();

    /// <summary>The built dll of a service project, or an error that says how to build it.</summary>
    public static string PathOf(string project)
    {
        if (!Metadata.TryGetValue("DiSRouter.Service:" + project, out var path))
            throw new InvalidOperationException($"The AppHost was built without a reference to {project}; add it to DiSRouter.AppHost.csproj.");
        if (!File.Exists(path))
            throw new InvalidOperationException($"{project} is not built at {path}: run 'dotnet build DiSRouter.AppHost' (with the same configuration).");
        return path;
    }
}
