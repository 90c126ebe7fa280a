using System.Text.Json.Nodes;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>A --config topology in a temp folder, deleted with the test.</summary>
public sealed class TopologyFile : IDisposable
{
    public TopologyFile(JsonObject diSRouterSection)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("disrouter-apphost-").FullName;
        Path = System.IO.Path.Combine(Directory, "topology.json");
        File.WriteAllText(Path, new JsonObject { ["DiSRouter"] = diSRouterSection }.ToJsonString());
    }

    public string Directory { get; }
    public string Path { get; }

    /// <summary>A hosted agent whose model is <paramref name="model"/> at <paramref name="server"/>.</summary>
    public static JsonObject HostedAgent(string name, double cost, FakeModelServer server, string model) => new()
    {
        ["Name"] = name, ["Cost"] = cost, ["Backend"] = "hosted",
        ["Endpoint"] = server.Endpoint, ["Model"] = model, ["ApiKeyEnv"] = "FAKE_MODEL_KEY",
    };

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
