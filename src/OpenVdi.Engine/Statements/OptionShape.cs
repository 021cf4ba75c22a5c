namespace OpenVdi.Engine.Statements;

/// <summary>What follows an option's word.</summary>
internal enum OptionShape
{
    /// <summary>Nothing: <c>INIT</c>.</summary>
    Flag,

    /// <summary><c>= integer</c>: <c>BLOCKSIZE = 4096</c>.</summary>
    Integer,

    /// <summary>Optionally <c>= integer</c>: <c>STATS</c> or <c>STATS = 5</c>.</summary>
    OptionalInteger,

    /// <summary><c>= 'string'</c>: <c>NAME = N'x'</c>.</summary>
    Text,

    /// <summary><c>'logical' TO 'path'</c>.</summary>
    Move,

    /// <summary>
    /// Anything SQL Server's own options take (nothing, <c>= value</c>, a parenthesised list, an
    /// <c>AFTER</c> clause), read only far enough to answer 3032 for it.
    /// </summary>
    Any,
}
