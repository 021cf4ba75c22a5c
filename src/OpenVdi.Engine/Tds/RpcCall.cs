namespace OpenVdi.Engine.Tds;

/// <summary>One remote procedure call of an RPC request: the procedure and its parameters, in order.</summary>
/// <param name="Procedure">The procedure's name (<c>sp_executesql</c> for its well-known id 10).</param>
/// <param name="Parameters">The parameters: name (empty when the client sent none) and value.</param>
internal sealed record RpcCall(string Procedure, IReadOnlyList<(string Name, object? Value)> Parameters)
{
    /// <summary>Whether the call is to sp_executesql, by id or by name (as <c>sp_executesql</c>, <c>sys.sp_executesql</c>…).</summary>
    public bool IsExecuteSql =>
        Procedure.Equals("sp_executesql", StringComparison.OrdinalIgnoreCase)
        || Procedure.EndsWith(".sp_executesql", StringComparison.OrdinalIgnoreCase);
}
