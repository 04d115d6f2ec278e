// generated artefacts come later
