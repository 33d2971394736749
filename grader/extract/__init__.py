"""Raw answers out of a submission: answer sheets, notebook variables, markdown tables."""
