using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DiSRouter.Agents.Backends;
using Microsoft.Extensions.Options;

namespace DiSRouter.Agents.Tests.Backends;

/// <summary>
/// Both hosted clients behind the one IChatClient seam (the OpenAI SDK and Azure.AI.Inference) against a real
/// OpenAI-compatible server in another process: an agent's /raw/v1 serving the committed nano-pool/nano-1 checkpoint,
/// started with <c>dotnet DiSRouter.Agents.dll</c>. Greedy decoding makes both clients' replies the same text.
/// </summary>
public sealed class HostedClientsTests(ServerProcess server) : IClassFixture<ServerProcess>
{
    private static readonly ChatPrompt Prompt = ChatPrompt.Single(null, "What is 12+30?");
    private static readonly GenerationSettings Greedy = new() { MaxNewTokens = 24, Temperature = 0 };

    [Theory]
    [InlineData(HostedApi.OpenAI)]
    [InlineData(HostedApi.AzureInference)]
    public async Task PlainCallGetsTheWholeReply(string api)
    {
        using var sut = server.Backend(api);

        var generation = await sut.GenerateAsync(Prompt, Greedy, null, CancellationToken.None).WaitAsync(ServerProcess.Timeout);

        var sample = Assert.Single(generation.Samples);
        Assert.False(string.IsNullOrEmpty(sample.Text));
        Assert.InRange(sample.CompletionTokens, 1, Greedy.MaxNewTokens);
        // The OpenAI SDK asks a stream for its usage (stream_options); Azure.AI.Inference does not, and a server that
        // sends none leaves the count of content chunks as the completion's token count.
        if (api == HostedApi.OpenAI) Assert.True(generation.PromptTokens > 0, "The server's usage did not come through.");
        Assert.Equal(await server.ReferenceTextAsync(), sample.Text);
    }

    [Theory]
    [InlineData(HostedApi.OpenAI)]
    [InlineData(HostedApi.AzureInference)]
    public async Task StreamingCallSeesTheReplyGrowTokenByToken(string api)
    {
        using var sut = server.Backend(api);
        var seen = new List<string>();

        var generation = await sut.GenerateAsync(Prompt, Greedy, (_, text) => { seen.Add(text); return true; }, CancellationToken.None)
            .WaitAsync(ServerProcess.Timeout);

        Assert.True(seen.Count > 3, $"Only {seen.Count} updates: not streamed.");
        Assert.All(seen.Zip(seen.Skip(1)), p => Assert.StartsWith(p.First, p.Second));
        Assert.Equal(seen[^1], generation.Samples[0].Text);
        Assert.Equal(await server.ReferenceTextAsync(), generation.Samples[0].Text);
        Assert.NotNull(generation.FirstTokenTime);
    }

    [Theory]
    [InlineData(HostedApi.OpenAI)]
    [InlineData(HostedApi.AzureInference)]
    public async Task StreamLeftEarlyStopsTheReply(string api)
    {
        using var sut = server.Backend(api);

        var generation = await sut.GenerateAsync(Prompt, Greedy, (_, text) => text.Length < 3, CancellationToken.None).WaitAsync(ServerProcess.Timeout);

        Assert.Equal(FinishReasons.Aborted, generation.Samples[0].FinishReason);
        Assert.InRange(generation.Samples[0].Text.Length, 3, 8);
    }
}

/// <summary>An agent process serving a committed checkpoint on loopback, started once for the test class.</summary>
public sealed class ServerProcess : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly int _port = FreePort();
    private readonly string _keyVariable = "DISROUTER_TEST_KEY_" + Guid.NewGuid().ToString("N");
    private string? _reference;

    public ServerProcess()
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "DiSRouter.Agents.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = Url;
        start.Environment["Agent__Name"] = "server";
        start.Environment["Agent__Cost"] = "0.5";
        start.Environment["Agent__Checkpoint"] = Path.Combine(root, "models", "nano-pool", "nano-1");
        start.Environment["Agent__ReloadPollSeconds"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        _process = new Process { StartInfo = start };
        Environment.SetEnvironmentVariable(_keyVariable, "sk-test");
    }

    public string Url => $"http://127.0.0.1:{_port}";

    internal HostedBackend Backend(string api) => new(Options.Create(new AgentOptions
    {
        Name = "hosted",
        Backend = AgentBackendKind.Hosted,
        Api = api,
        Endpoint = Url + "/raw/v1",
        Model = "nano-1",
        ApiKeyEnv = _keyVariable,
    }), new Factory());

    /// <summary>The server's own greedy reply, read with plain HTTP: what both clients must see.</summary>
    public async Task<string> ReferenceTextAsync()
    {
        if (_reference is not null) return _reference;
        using var http = new HttpClient();
        using var response = await http.PostAsync(Url + "/raw/v1/chat/completions", new StringContent(
            """{"messages":[{"role":"user","content":"What is 12+30?"}],"max_tokens":24,"temperature":0}""", System.Text.Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return _reference = doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    public async Task InitializeAsync()
    {
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The server process exited with {_process.ExitCode}.");
            try
            {
                using var health = await http.GetAsync(Url + "/health");
                if (health.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The server at {Url} did not become healthy within {Timeout.TotalSeconds} s.");
    }

    public async Task DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(Timeout);
        }
        _process.Dispose();
        Environment.SetEnvironmentVariable(_keyVariable, null);
    }

    /// <summary>The checkout, found from this source file (the binaries may live elsewhere, see DISROUTER_ARTIFACTS).</summary>
    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        var dir = Path.GetDirectoryName(source);
        while (dir is not null && !File.Exists(Path.Combine(dir, "DiSRouter.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException($"No DiSRouter.sln above {source}.");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class Factory : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new SocketsHttpHandler { MaxResponseDrainSize = 0 });
    }
}
