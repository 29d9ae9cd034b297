// The Resend fake: see ResendSimulator.swift.
