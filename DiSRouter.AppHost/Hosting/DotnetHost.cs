namespace DiSRouter.AppHost.Hosting;

/// <summary>The dotnet executable that runs the service dlls: the one running us, so children use the same runtime.</summary>
internal static class DotnetHost
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        // Set by the SDK under `dotnet run` and `dotnet test`.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)) return hostPath;
        // Running as `dotnet DiSRouter.AppHost.dll`.
        if (Environment.ProcessPath is { } self && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        // Running as the native launcher: the runtime lives in {root}/shared/Microsoft.NETCore.App/{version}/.
        var root = System.IO.Path.GetFullPath(System.IO.Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = System.IO.Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
