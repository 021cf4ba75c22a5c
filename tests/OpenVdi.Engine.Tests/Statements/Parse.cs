using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Tests.Statements;

/// <summary>Shortcuts that parse and assert the outcome, so each test states only what it is about.</summary>
internal static class Parse
{
    public static BackupStatement Backup(string text)
    {
        var result = Succeeds(text);
        return Assert.IsType<BackupStatement>(result.Statement);
    }

    public static RestoreStatement Restore(string text)
    {
        var result = Succeeds(text);
        return Assert.IsType<RestoreStatement>(result.Statement);
    }

    public static StatementParseResult Succeeds(string text)
    {
        var result = StatementParser.Parse(text);
        Assert.True(result.Succeeded, $"Expected success, got: {string.Join(" | ", result.Messages)}");
        Assert.Empty(result.Messages);
        Assert.Null(result.Error);
        return result;
    }

    public static StatementParseResult Fails(string text)
    {
        var result = StatementParser.Parse(text);
        Assert.False(result.Succeeded, $"Expected a failure, got {result.Statement}");
        Assert.Null(result.Statement);
        Assert.NotEmpty(result.Messages);
        Assert.Same(result.Messages[0], result.Error);
        return result;
    }

    /// <summary>A compile error: the one message, severity 15, and no 3013 after it.</summary>
    public static SqlMessage CompileError(string text, int number, string message)
    {
        var result = Fails(text);
        var error = Assert.Single(result.Messages);
        Assert.Equal(number, error.Number);
        Assert.Equal(15, error.Severity);
        Assert.Equal(message, error.Text);
        return error;
    }

    /// <summary>A statement error: the error (severity 16) then 3013 naming the operation.</summary>
    public static SqlMessage StatementError(string text, int number, string message, string operation)
    {
        var result = Fails(text);
        Assert.Equal(2, result.Messages.Count);
        var error = result.Messages[0];
        Assert.Equal(number, error.Number);
        Assert.Equal(16, error.Severity);
        Assert.Equal(message, error.Text);
        var trailer = result.Messages[1];
        Assert.Equal(3013, trailer.Number);
        Assert.Equal(16, trailer.Severity);
        Assert.Equal(1, trailer.State);
        Assert.Equal($"{operation} is terminating abnormally.", trailer.Text);
        return error;
    }

    /// <summary>One of the engine's own refusals (50001, 50002): a single message, severity 16, no 3013.</summary>
    public static SqlMessage Refused(string text)
    {
        var result = Fails(text);
        var error = Assert.Single(result.Messages);
        Assert.True(error.Number >= 50000, $"Expected an engine message, got {error}");
        Assert.Equal(16, error.Severity);
        return error;
    }

    public static string Devices(int count) =>
        string.Join(", ", Enumerable.Range(1, count).Select(i => $"VIRTUAL_DEVICE = 'dev{i}'"));
}
