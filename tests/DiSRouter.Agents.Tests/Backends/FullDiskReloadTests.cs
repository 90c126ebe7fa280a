using System.Net;
using System.Text.Json;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Tests.Disks;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.Agents.Tests.Backends;

/// <summary>
/// A checkpoint written over the served one in place (not by the atomic publish) on a disk that fills part way
/// through: a real ENOSPC on a small tmpfs leaves the new config.json beside cut-off weights. The agent must keep
/// answering with the old model and say why where a user looks: its health and GET /checkpoint.
/// </summary>
public sealed class FullDiskReloadTests
{
    [SmallDiskFact]
    public async Task AReloadCutOffByAFullDiskKeepsTheOldModelServingAndSaysWhy()
    {
        using var disk = SmallDisk.Mount(megabytes: 8);
        var serving = Path.Combine(disk.Root, "nano-test");
        var served = TransformerModel.Create(TinyCheckpoint.Config, seed: 1);
        Checkpoint.Save(serving, served, ByteTokenizer.Default);
        using var larger = new TinyCheckpoint();
        Checkpoint.Save(larger.Directory, TransformerModel.Create(TinyCheckpoint.Config with { IntermediateSize = 8192 }, seed: 2), ByteTokenizer.Default);
        await using var host = AgentHost.Start(AgentHost.Settings("agent-local", 0.2, extra:
        [
            new("Agent:Backend", "local"),
            new("Agent:Checkpoint", serving),
            new("Agent:ReloadDebounceMilliseconds", "100"),
        ]));
        var backend = Assert.IsType<LocalCheckpointBackend>(host.Services.GetRequiredService<IChatBackend>());
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        backend.ReloadFailed += () => failed.TrySetResult();
        disk.Fill(leaveBytes: 1 << 20);

        // As `cp` would: each file truncated and rewritten where it is; the 3 MB of weights do not fit.
        File.Copy(Path.Combine(larger.Directory, "config.json"), Path.Combine(serving, "config.json"), overwrite: true);
        var e = Assert.ThrowsAny<IOException>(() =>
        {
            using var from = File.OpenRead(Path.Combine(larger.Directory, Checkpoint.WeightsFileName));
            using var to = new FileStream(Path.Combine(serving, Checkpoint.WeightsFileName), FileMode.Create, FileAccess.Write);
            from.CopyTo(to);
            to.Flush();
        });
        Assert.Contains("No space left on device", e.Message);
        await failed.Task.WaitAsync(TestTimeouts.Request);

        var reply = await host.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("hello", "\"max_tokens\":12"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(TinyCheckpoint.GreedyReply(served, "hello", 12), reply.Content);
        Assert.Equal("Degraded", await host.Client.GetStringAsync("/health"));
        using var status = JsonDocument.Parse(await host.Client.GetStringAsync("/checkpoint"));
        Assert.Equal(1, status.RootElement.GetProperty("generation").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(status.RootElement.GetProperty("reload_failure").GetProperty("reason").GetString()));
    }
}
