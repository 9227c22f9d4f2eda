"""What tests and the demo use beside the emulator: the pytest plugin (:mod:`.fixtures`) and the
on-call receiver that stands in for an HTTPS endpoint subscribed to SNS (:mod:`.receiver`)."""
