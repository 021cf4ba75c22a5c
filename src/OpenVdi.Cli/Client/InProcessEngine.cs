using OpenVdi.Engine.Execution;

namespace OpenVdi.Cli.Client;

/// <summary>The one place the tool builds the engine that runs in this process (for <c>vdi engine serve</c>).</summary>
internal static class InProcessEngine
{
    /// <summary>The statement engine over the databases of <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="NotSupportedException">This build has no in-process engine yet.</exception>
    public static IStatementEngine Create(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);

        // Wired to the engine's StatementEngine once it is in the tree:
        //   return new StatementEngine(new EngineOptions { DataDirectory = dataDirectory, Instance = null });
        throw new NotSupportedException("This build of vdi has no statement engine yet (OpenVdi.Engine.Execution.StatementEngine).");
    }
}
