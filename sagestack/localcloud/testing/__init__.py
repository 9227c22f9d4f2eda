"""What tests and the demo use beside the emulator: the pytest plugin (:mod:`.fixtures`), the
on-call receiver that stands in for an HTTPS endpoint subscribed to SNS (:mod:`.receiver`), and
tiny models for endpoints, trained in the images' environments (:mod:`.models`)."""
