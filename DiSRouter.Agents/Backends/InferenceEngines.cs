using System.Reflection;
using DiSRouter.Models.Inference;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// The engine a local checkpoint runs on (<c>Agent:Engine</c>). The TorchSharp engine is found by assembly name at
/// start-up, not referenced: a default agent build then carries no libtorch (about 600 MB of native libraries); an
/// agent built with <c>-p:AgentTorch=true</c> references DiSRouter.Models.Torch and finds it.
/// </summary>
internal static class InferenceEngines
{
    internal const string TorchAssembly = "DiSRouter.Models.Torch";
    internal const string TorchEngineType = "DiSRouter.Models.Torch.TorchInferenceEngine";

    public static IInferenceEngine Create(AgentOptions options) => options.Engine switch
    {
        AgentEngineKind.Torch => CreateTorch(options.Name, options.Device, TorchAssembly),
        _ => new ManagedInferenceEngine(),
    };

    internal static IInferenceEngine CreateTorch(string agent, string device, string assemblyName)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (FileNotFoundException ex)
        {
            throw new InvalidOperationException(
                $"Agent '{agent}': Agent:Engine is 'torch', but {assemblyName}.dll is not part of this agent's build. Build the agent with " +
                "the TorchSharp engine (dotnet build DiSRouter.Agents -c Release -p:AgentTorch=true; for a GPU add -p:TorchRuntime=cuda, see " +
                "docs/real-models.md), or set Agent:Engine to 'managed'.", ex);
        }
        var type = assembly.GetType(TorchEngineType, throwOnError: true)!;
        try
        {
            return (IInferenceEngine)Activator.CreateInstance(type, device)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new InvalidOperationException($"Agent '{agent}': the torch engine cannot start: {ex.InnerException.Message}", ex.InnerException);
        }
    }
}
