namespace OpenVdi.Engine.Tds;

/// <summary>What <see cref="TdsLogins.Verify"/> found. The client learns only "login failed"; the log says which.</summary>
internal enum TdsLoginCheck
{
    /// <summary>The login exists and the password matches.</summary>
    Accepted,

    /// <summary>No such login.</summary>
    UnknownLogin,

    /// <summary>The login exists; the password does not match.</summary>
    WrongPassword,
}
