namespace Launcher;

/// <summary>A supervised service failed at start as many times in a row as its restart policy allows.</summary>
public sealed class ServiceGaveUpException(string message) : Exception(message);
