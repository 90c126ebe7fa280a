using System.Text.Json.Nodes;
using OpenAI.Chat;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>
/// The app model with another topology (a --config file, as a user gives one): the committed self-aware nano-1 as
/// agent-1, then a hosted last agent, "agent-slow", whose model is a <see cref="SlowModelServer"/> in the test process.
/// A nano answer is generated in a few milliseconds; this one lasts as long as a test needs, so a test can watch it
/// stream, or kill the agent while it answers.
/// </summary>
public sealed class SlowAnswererFixture : NetworkFixture
{
    public const string SlowAgent = "agent-slow";
    private const string KeyVariable = "DISROUTER_TEST_SLOW_MODEL_KEY";

    /// <summary>Queries of the task families: agent-1 rejects some of them at Performance First (α = 0.2).</summary>
    private static readonly string[] Candidates =
    [
        "What is 1234+5678?", "Spell cat backwards.", "Who wrote the fable of the ant?", "What is 123 * 47?",
        "If x = 3 and y = x + 4, what is y?", "What is 17 + 25?",
    ];

    private string _directory = "";
    private string? _rejected;

    public SlowModelServer Model { get; private set; } = null!;

    protected override IEnumerable<string> Arguments => ["--config", System.IO.Path.Combine(_directory, "topology.json"), "--gateway-port", "0"];

    public override async Task InitializeAsync()
    {
        Model = new SlowModelServer();
        _directory = Directory.CreateTempSubdirectory("disrouter-apphost-tests-").FullName;
        Environment.SetEnvironmentVariable(KeyVariable, "sk-test");
        var topology = new JsonObject
        {
            ["DiSRouter"] = new JsonObject
            {
                ["Agents"] = new JsonArray(
                    new JsonObject { ["Name"] = "agent-1", ["Cost"] = 0.1, ["Backend"] = "local", ["Checkpoint"] = "models/nano-selfaware/nano-1" },
                    new JsonObject
                    {
                        ["Name"] = SlowAgent, ["Cost"] = 0.9, ["Backend"] = "hosted", ["Model"] = SlowModelServer.Model,
                        ["Endpoint"] = Model.BaseUrl.ToString(), ["ApiKeyEnv"] = KeyVariable,
                    }),
            },
        };
        await File.WriteAllTextAsync(System.IO.Path.Combine(_directory, "topology.json"), topology.ToJsonString());
        await base.InitializeAsync();
    }

    /// <summary>A query agent-1 rejects at Performance First, so agent-slow answers it (found once, with the model answering at once).</summary>
    public async Task<string> QueryForTheSlowAgentAsync()
    {
        if (_rejected is { } known) return known;
        var delay = Model.TokenDelay;
        Model.TokenDelay = TimeSpan.Zero;
        try
        {
            foreach (var query in Candidates)
            {
                var result = await Chat("disrouter-cascade-performance-first").CompleteChatAsync([new UserChatMessage(query)]).WaitAsync(RequestTimeout);
                if (Path(Routing(result)) is ["agent-1:reject", $"{SlowAgent}:answer"]) return _rejected = query;
            }
        }
        finally
        {
            Model.TokenDelay = delay;
        }
        throw new Xunit.Sdk.XunitException($"agent-1 answered every one of {Candidates.Length} queries at α = 0.2; the tests need one it rejects.");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Model.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
