using System.Threading.Channels;
using DiSRouter.Agents.Apis;
using DiSRouter.Agents.Backends;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// An agent's decision on a query: answer it, or reject it and hand it to its successor. Taken from the model's first
/// token: by the checkpoint's calibrated thresholds when it has them (the logit gap answer − reject held against the
/// threshold for α, <see cref="Calibrated"/>), else by the model's own first words ("I don't know" or not, read by
/// <see cref="Rejection"/>: a hosted model, which only writes text, or an uncalibrated checkpoint).
/// The decision is the agent's commit point: before it the agent may still be skipped; after it, its answer streams.
/// </summary>
internal sealed record AgentDecision(bool Answers, DecisionVerdict? Calibrated)
{
    public string HopDecision => Answers ? Core.Routing.HopDecision.Answer : Core.Routing.HopDecision.Reject;

    public static AgentDecision ByThresholds(DecisionVerdict verdict) => new(verdict.Answers, verdict);

    public static AgentDecision ByText(bool answers) => new(answers, null);
}

/// <summary>
/// Watches one generation of a deciding agent: takes the decision as soon as it is known (the backend's calibrated
/// verdict, else the reply's first characters), stops a rejection there, and after an answer's commit passes the text
/// on as it is generated (never text that may still turn into a stop sequence, see <see cref="StreamGate"/>).
/// </summary>
internal sealed class DecisionWatch
{
    private readonly TaskCompletionSource<AgentDecision> _decided = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<string> _deltas = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StreamGate _gate;
    private readonly int _decideAfter;

    /// <param name="canReject">
    /// False for the last agent and a fallback answer: the first text commits to answering (not before: a model that fails
    /// at once leaves the agent skippable, as if it were down).
    /// </param>
    /// <param name="decideAfter">Characters of "I don't know" that already count as a rejection (0: the whole phrase).</param>
    public DecisionWatch(bool canReject, int decideAfter, IReadOnlyList<string> stops)
    {
        _gate = new StreamGate(stops);
        _decideAfter = decideAfter;
        _canReject = canReject;
    }

    private readonly bool _canReject;

    /// <summary>Completes at the commit point: answer (text follows in <see cref="Deltas"/>) or reject.</summary>
    public Task<AgentDecision> Decided => _decided.Task;

    /// <summary>The answer's text as it is generated, completed when the generation ends (with its failure, if it failed).</summary>
    public ChannelReader<string> Deltas => _deltas.Reader;

    /// <summary>The backend's typed decision from calibrated thresholds, reported after the prompt pass.</summary>
    public void OnVerdict(DecisionVerdict verdict) => _decided.TrySetResult(AgentDecision.ByThresholds(verdict));

    /// <summary>The backend's per-token callback: (sample, reply so far) → whether to go on.</summary>
    public bool OnText(int sample, string textSoFar)
    {
        if (!_decided.Task.IsCompleted && !_canReject) _decided.TrySetResult(AgentDecision.ByText(answers: true));
        if (!_decided.Task.IsCompleted)
        {
            switch (Rejection.Classify(textSoFar, _decideAfter))
            {
                case RejectionState.Undecided: return true;
                case RejectionState.Rejected: _decided.TrySetResult(AgentDecision.ByText(answers: false)); return false;
                default: _decided.TrySetResult(AgentDecision.ByText(answers: true)); break;
            }
        }
        if (!_decided.Task.Result.Answers) return false;
        var delta = _gate.Advance(textSoFar);
        if (delta.Length > 0) _deltas.Writer.TryWrite(delta);
        return true;
    }

    /// <summary>The generation ended: what the gate held back goes out, and a reply that never left the rejection's prefix decides now.</summary>
    public void Completed(ChatGeneration generation)
    {
        var text = generation.Samples[0].Text;
        if (generation.Decision is { } verdict) _decided.TrySetResult(AgentDecision.ByThresholds(verdict));
        _decided.TrySetResult(AgentDecision.ByText(answers: !_canReject || !Rejection.IsRejection(text, _decideAfter)));
        if (_decided.Task.Result.Answers)
        {
            var rest = _gate.Rest(text);
            if (rest.Length > 0) _deltas.Writer.TryWrite(rest);
        }
        _deltas.Writer.TryComplete();
    }

    public void Failed(Exception error)
    {
        _decided.TrySetException(error);
        _deltas.Writer.TryComplete(error);
    }
}
