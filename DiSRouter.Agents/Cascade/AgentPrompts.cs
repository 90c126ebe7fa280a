using DiSRouter.Agents.Backends;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// The system prompts an agent gives its model. Deciding: the scenario instruction (a trained checkpoint needs nothing
/// else; a hosted model also gets the answer/reject protocol). Answering without the option to reject (the last agent,
/// or an agent whose successors are all down): a local model is prompted as trained and its reply is started with the
/// answer template, so it cannot begin with a rejection; a hosted model is told the answer-only protocol.
/// </summary>
internal static class AgentPrompts
{
    /// <summary>The start of the answer template the agents are trained on.</summary>
    public const string AnswerPrefix = AnswerTemplate.Opening;

    public const string AnswerOnlyProtocolText =
        "You must answer this question; not answering is not an option. Reply in the form " +
        "\"" + AnswerTemplate.StepsPrefix + "<steps>. " + AnswerTemplate.FinalAnswerPrefix + "<answer>.\"";

    public static ChatPrompt Decide(Scenario scenario, IChatBackend backend, ConversationParts conversation)
    {
        var instruction = ScenarioPrompt.For(scenario, backend.PromptStyle);
        if (backend.NeedsProtocolPrompt) instruction += " " + ScenarioPrompt.ProtocolText;
        return new ChatPrompt(Join(instruction, conversation.System), conversation.Turns);
    }

    public static ChatPrompt AnswerOnly(Scenario scenario, IChatBackend backend, ConversationParts conversation) =>
        backend.NeedsProtocolPrompt
            ? new ChatPrompt(Join(AnswerOnlyProtocolText, conversation.System), conversation.Turns)
            : new ChatPrompt(Join(ScenarioPrompt.For(scenario, backend.PromptStyle), conversation.System), conversation.Turns, AnswerPrefix);

    // The client's own system message, if any, follows the agent's instruction instead of being dropped.
    private static string Join(string instruction, string? clientSystem) =>
        string.IsNullOrWhiteSpace(clientSystem) ? instruction : instruction + "\n\n" + clientSystem;
}

/// <summary>A request's messages split into the system text (system and developer messages joined) and the turns.</summary>
internal sealed record ConversationParts(string? System, IReadOnlyList<ChatMessage> Turns)
{
    public static ConversationParts From(IReadOnlyList<ChatMessage> messages)
    {
        var system = messages.Where(m => IsSystem(m.Role)).Select(m => m.Content).ToList();
        var turns = messages.Where(m => !IsSystem(m.Role)).ToList();
        return new ConversationParts(system.Count == 0 ? null : string.Join("\n\n", system), turns);
    }

    public static bool IsSystem(string role) => role is "system" or "developer";
}
