-- The warehouse's tables. Every accepted row keeps its lineage: file (relative to
-- the raw folder), sheet, sheet_no, excel_row; files records each file's content hash.
create table if not exists runs (
    run_id       integer primary key,
    command      varchar,
    started_at   timestamp,
    finished_at  timestamp,
    files_parsed integer,
    files_removed integer,
    errors       integer,
    warnings     integer,
    notes        integer,
    exit_code    integer,
    fingerprint  varchar,   -- configuration + years + code version the outputs were made with
    published    boolean    -- outputs written completely after the commit
);

create table if not exists files (
    file          varchar primary key,
    sha256        varchar not null,
    size          bigint not null,
    kind          varchar not null,
    channel       varchar,
    rows_accepted integer not null,
    rows_rejected integer not null,
    first_seen    timestamp not null,
    parsed_at     timestamp not null,
    run_id        integer not null
);

-- Problems found while reading one file; kept while the file is unchanged.
create table if not exists file_problems (
    file     varchar not null,
    severity varchar not null,
    rule     varchar not null,
    message  varchar not null,
    sheet    varchar,
    excel_row integer,
    "column" varchar,
    value    varchar
);

-- Every problem of a run (file problems and those found across files and in the tables).
create table if not exists problems (
    run_id   integer not null,
    severity varchar not null,
    rule     varchar not null,
    message  varchar not null,
    file     varchar,
    sheet    varchar,
    excel_row integer,
    "column" varchar,
    value    varchar
);

create table if not exists items (
    file      varchar not null,
    sheet     varchar not null,
    sheet_no  integer not null,
    excel_row integer not null,
    channel   varchar not null,
    published date not null,
    title     varchar not null,
    category  varchar,
    link      varchar,
    title_key varchar not null,
    link_key  varchar
);

-- Register rows as accepted from each file (a request or case may be listed in several files).
create table if not exists request_rows (
    file varchar not null, sheet varchar not null, sheet_no integer not null, excel_row integer not null,
    request_id varchar not null,
    received   date not null,
    applicant  varchar not null,
    answered   date,
    outcome    varchar,      -- leaf code at its finest (2021) level; 'other' for 其他处理 alone
    outcome_text varchar,    -- as written
    fee        double,
    content    varchar,
    extended   boolean
);

create table if not exists appeal_rows (
    file varchar not null, sheet varchar not null, sheet_no integer not null, excel_row integer not null,
    case_id   varchar not null,
    case_type varchar not null,
    received  date not null,
    concluded date,
    result    varchar
);

create table if not exists document_rows (
    file varchar not null, sheet varchar not null, sheet_no integer not null, excel_row integer not null,
    name      varchar not null,
    doc_no    varchar,
    category  varchar not null,
    made      date not null,
    published date,
    repealed  date,
    name_key  varchar not null,
    doc_no_key varchar
);

create table if not exists service_rows (
    file varchar not null, sheet varchar not null, sheet_no integer not null, excel_row integer not null,
    year      integer not null,
    item      varchar not null,
    items     bigint,
    decisions bigint,
    amount    double
);
