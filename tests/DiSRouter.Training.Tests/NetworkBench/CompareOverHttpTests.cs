using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using DiSRouter.Core.Tasks;
using DiSRouter.Training.NetworkBench;

namespace DiSRouter.Training.Tests.NetworkBench;

/// <summary>
/// The bench's comparison phase over real HTTP on loopback: its requests, the answers it parses and grades, the gateway's
/// refusal it reads when the Self-Route mode is off. The far end is a small HttpListener that answers as the gateway does
/// (the gateway's own Self-Route behaviour is tested in DiSRouter.Gateway.Tests); the whole bench against the real network
/// through the AppHost is the command in docs/benchmarks.md.
/// </summary>
public sealed class CompareOverHttpTests
{
    private static readonly IReadOnlyList<string> Agents = ["agent-1", "agent-2", "agent-3"];

    private static readonly IReadOnlyList<TaskItem> Items =
    [
        new("q0", "arithmetic", TaskDomain.InDomain, 1, "What is 2 + 3?", null, "5", ""),
        new("q1", "arithmetic", TaskDomain.InDomain, 2, "What is 7 + 6?", null, "13", ""),
    ];

    [Fact]
    public async Task RouterModeRowsAppearForEveryAlphaThroughTheScenariosOwnAlias()
    {
        await using var gateway = FakeGateway.Start(routerModesOn: true);
        var options = BenchOptions.Parse(["--requests", "2", "--warmup", "3"]);
        using var http = new HttpClient();

        var rows = await Training.NetworkBench.NetworkBench.CompareAsync(http, gateway.Url, "key", Agents, Items, options, TextWriter.Null, CancellationToken.None);

        Assert.Equal(
            ["cascade", "self-route", "bids", "auction", "agent-3 alone", "cascade", "self-route", "bids", "auction", "agent-3 alone",
             "cascade", "self-route", "bids", "auction", "agent-3 alone"],
            rows.Select(r => r.Method));
        Assert.Equal([0.2, 0.2, 0.2, 0.2, 0.2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.8, 0.8, 0.8, 0.8, 0.8], rows.Select(r => r.Alpha));
        var modeRows = rows.Where(r => r.Method is "self-route" or "bids" or "auction").ToList();
        // The fake router sends q0 to agent-1, which answers it right, and q1 to agent-2, which answers it wrong.
        Assert.All(modeRows, r => Assert.Equal((2, 2, 1, 0.15), (r.Sent, r.Succeeded, r.Correct, Math.Round(r.MeanCost!.Value, 9))));
        Assert.All(modeRows, r => Assert.Equal(new Distribution(2, 0.125, 0.25), r.RouterMs));
        Assert.All(modeRows, r => Assert.Equal([1, 1, 0], r.AnsweredBy.Select(a => a.Answers)));
        Assert.All(rows.Where(r => r.Method == "cascade"), r => Assert.Equal((1.0, 0.1), (r.Accuracy!.Value, r.MeanCost!.Value)));
        // The cascade rows name the threshold cascade: the plain alias would run the gateway's default rule, the auction.
        Assert.Equal(3 * 2, gateway.Requests.Count(r => r.Model == "disrouter-cascade"));
        Assert.All(rows.Where(r => r.Method is not ("self-route" or "bids" or "auction")), r => Assert.Null(r.RouterMs));

        // Per mode: the probe and the 3 warm-up requests at Balance, then each α's own alias with its α in the body.
        foreach (var mode in new[] { "disrouter-self-route", "disrouter-bids", "disrouter-auction" })
        {
            var routed = gateway.Requests.Where(r => r.Model.StartsWith(mode, StringComparison.Ordinal)).ToList();
            Assert.Equal(1 + 3 + 3 * 2, routed.Count);
            Assert.Equal(1 + 3 + 2, routed.Count(r => r.Model == mode + "-balance" && r.Alpha == 0.5));
            Assert.Equal(2, routed.Count(r => r.Model == mode + "-performance-first" && r.Alpha == 0.2));
            Assert.Equal(2, routed.Count(r => r.Model == mode + "-cost-first" && r.Alpha == 0.8));
        }
        Assert.Contains("| 0.8 | self-route | 2/2 | 0.500 | 0.150 | 0.380 |", Comparison.Markdown(rows, "agent-3"));
        Assert.Contains("| 0.8 | bids | 2/2 | 0.500 | 0.150 | 0.380 |", Comparison.Markdown(rows, "agent-3"));
        Assert.Contains("| 0.8 | auction | 2/2 | 0.500 | 0.150 | 0.380 |", Comparison.Markdown(rows, "agent-3"));
    }

    [Fact]
    public async Task WhenTheGatewayRefusesARouterModeItsRowsCarryTheReasonAndNoMoreOfItsRequestsAreSent()
    {
        await using var gateway = FakeGateway.Start(routerModesOn: false);
        var options = BenchOptions.Parse(["--requests", "2", "--warmup", "3"]);
        using var http = new HttpClient();

        var rows = await Training.NetworkBench.NetworkBench.CompareAsync(http, gateway.Url, "key", Agents, Items, options, TextWriter.Null, CancellationToken.None);

        var selfRoute = rows.Where(r => r.Method == "self-route").ToList();
        Assert.Equal(3, selfRoute.Count);
        Assert.All(selfRoute, r => Assert.Equal(
            "the gateway answered disrouter-self-route-balance with HTTP 503: " + FakeGateway.OffReason, r.Off));
        Assert.Single(gateway.Requests, r => r.Model.StartsWith("disrouter-self-route", StringComparison.Ordinal));
        Assert.All(rows.Where(r => r.Method == "bids"), r => Assert.Equal("the gateway answered disrouter-bids-balance with HTTP 503: " + FakeGateway.OffReason, r.Off));
        Assert.Single(gateway.Requests, r => r.Model.StartsWith("disrouter-bids", StringComparison.Ordinal));
        // Agents that answer the auction alias without the auction's metadata (a build without the rule): off, and why.
        Assert.All(rows.Where(r => r.Method == "auction"), r => Assert.Equal(
            "the gateway answered disrouter-auction-balance without the router's metadata (disrouter.router)", r.Off));
        Assert.Single(gateway.Requests, r => r.Model.StartsWith("disrouter-auction", StringComparison.Ordinal));
        Assert.Equal(6, rows.Count(r => r.Off is null && r.Succeeded == 2));
    }

    /// <summary>
    /// Answers POST /v1/chat/completions as the gateway would for this tiny world: the cascade ("disrouter-cascade") from agent-1,
    /// which answers every question right; an agent's name from that agent, right on q0 only; a Self-Route, bids or auction
    /// alias from agent-1 for q0 and agent-2 for q1 with the router's metadata, or, when the modes are off, the gateway's 503
    /// problem (Self-Route, bids) or an answer without the router's metadata (the auction on agents without the rule).
    /// </summary>
    private sealed class FakeGateway : IAsyncDisposable
    {
        public const string OffReason = "Self-Route is not configured on this gateway (Gateway:SelfRoute:RouterFile).";

        private readonly HttpListener _listener;
        private readonly Task _serving;
        private readonly bool _routerModesOn;

        public Uri Url { get; }
        public ConcurrentQueue<(string Model, double Alpha)> Requests { get; } = new();

        private FakeGateway(HttpListener listener, Uri url, bool routerModesOn)
        {
            _listener = listener;
            Url = url;
            _routerModesOn = routerModesOn;
            _serving = Task.Run(ServeAsync);
        }

        public static FakeGateway Start(bool routerModesOn)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var url = new Uri($"http://127.0.0.1:{port}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            listener.Start();
            return new FakeGateway(listener, url, routerModesOn);
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                using var response = context.Response;
                // One request per connection: the managed HttpListener may drop a kept-alive connection just as the client
                // reuses it ("An error occurred while sending the request"), which is the listener's race, not the bench's.
                response.KeepAlive = false;
                var request = JsonNode.Parse(context.Request.InputStream)!;
                var model = (string)request["model"]!;
                var alpha = (double)request["alpha"]!;
                Requests.Enqueue((model, alpha));
                var question = (string)request["messages"]![0]!["content"]!;
                var q1 = question == Items[1].Prompt;
                var mode = model.StartsWith("disrouter-self-route", StringComparison.Ordinal) ? "self-route"
                    : model.StartsWith("disrouter-bids", StringComparison.Ordinal) ? "bids"
                    : model.StartsWith("disrouter-auction", StringComparison.Ordinal) ? "auction" : null;
                JsonObject body;
                if (mode is "self-route" or "bids" && !_routerModesOn)
                {
                    response.StatusCode = 503;
                    response.ContentType = "application/problem+json";
                    body = new JsonObject { ["type"] = "about:blank", ["title"] = "Service Unavailable", ["status"] = 503, ["detail"] = OffReason };
                }
                else
                {
                    var (agent, cost, right) = model switch
                    {
                        "disrouter-cascade" => ("agent-1", 0.1, true),
                        _ when mode is not null => q1 ? ("agent-2", 0.2, false) : ("agent-1", 0.1, true),
                        _ => (model, 0.4, !q1),
                    };
                    var answer = right ? Items[q1 ? 1 : 0].Answer : "12";
                    var metadata = new JsonObject
                    {
                        ["alpha"] = alpha, ["answered_by"] = agent, ["cost"] = cost, ["latency_ms"] = 1.0,
                        ["path"] = new JsonArray(new JsonObject { ["agent"] = agent, ["decision"] = "answer", ["latency_ms"] = 1.0, ["model_ms"] = 0.5, ["cost"] = cost }),
                    };
                    if (mode is not null && _routerModesOn)
                        metadata["router"] = new JsonObject { ["mode"] = mode, ["chosen"] = agent, ["forwarded_to"] = agent, ["router_ms"] = q1 ? 0.25 : 0.125 };
                    body = new JsonObject
                    {
                        ["id"] = "chatcmpl-1", ["object"] = "chat.completion", ["model"] = model,
                        ["choices"] = new JsonArray(new JsonObject
                        {
                            ["index"] = 0, ["finish_reason"] = "stop",
                            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = $"Let's think step by step: add. The final answer is: {answer}." },
                        }),
                        ["disrouter"] = metadata,
                    };
                    response.ContentType = "application/json";
                }
                var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
                await response.OutputStream.WriteAsync(bytes);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _serving;
        }
    }
}
